package parser

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/roomgate/roomgate/emulator/rules/ast"
)

// The error tests follow go/parser/error_test.go: each testdata/*.rules
// file marks every expected error with a comment
//
//	/* ERROR "regexp" */
//
// placed right after the offending token. The error must be reported at
// the start of the token preceding the comment (as the normal lexer sees
// it) and its message must match the regexp. Inside match patterns and
// path literals, whose segments are not tokens, the marker names the
// column instead: /* ERROR "regexp" col=N */ (same line as the comment).
// Every reported error must be expected, and every expectation met.

var errorMarker = regexp.MustCompile(`/\* ERROR "((?:[^"\\]|\\.)*)"(?: col=(\d+))? \*/`)

type expectation struct {
	pos ast.Pos
	rx  *regexp.Regexp
}

// expectedErrors returns the expectations of src keyed by "line:col".
func expectedErrors(t *testing.T, src []byte) map[string]expectation {
	t.Helper()
	// Token start positions, to find the token before each marker.
	var toks []token
	lx := newLexer(src, func(ast.Pos, string) {})
	for {
		tok := lx.scan()
		if tok.kind == tEOF {
			break
		}
		toks = append(toks, tok)
	}
	want := map[string]expectation{}
	for _, m := range errorMarker.FindAllSubmatchIndex(src, -1) {
		off := m[0]
		rxText := strings.ReplaceAll(string(src[m[2]:m[3]]), `\"`, `"`)
		rx, err := regexp.Compile(rxText)
		if err != nil {
			t.Fatalf("bad ERROR marker at offset %d: %v", off, err)
		}
		var pos ast.Pos
		if m[4] >= 0 {
			col, _ := strconv.Atoi(string(src[m[4]:m[5]]))
			line := posOf(src, off).Line
			pos = ast.Pos{Line: line, Col: col}
		} else {
			for _, tok := range toks {
				if tok.end <= off {
					pos = tok.pos
				}
			}
		}
		key := pos.String()
		if _, dup := want[key]; dup {
			t.Fatalf("two ERROR markers expect an error at %s", key)
		}
		want[key] = expectation{pos: pos, rx: rx}
	}
	return want
}

func TestErrorFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/*.rules")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !errorMarker.Match(src) {
			continue // a valid file, covered by other tests
		}
		n++
		t.Run(filepath.Base(name), func(t *testing.T) {
			want := expectedErrors(t, src)
			_, err := ParseFile(name, src)
			var got ErrorList
			if err != nil {
				got = err.(ErrorList)
			}
			for _, e := range got {
				key := e.Pos.String()
				exp, ok := want[key]
				if !ok {
					t.Errorf("unexpected error: %v", e)
					continue
				}
				if !exp.rx.MatchString(e.Msg) {
					t.Errorf("%s: error %q does not match %q", key, e.Msg, exp.rx)
				}
				delete(want, key)
			}
			for key, exp := range want {
				t.Errorf("%s: missing error matching %q", key, exp.rx)
			}
		})
	}
	if n < 5 {
		t.Fatalf("found only %d error test files", n)
	}
}

// TestErrorFilesAreSingleErrorPerLine guards the harness assumption that
// the parser keeps one error per line.
func TestErrorMarkersOnePerLine(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.rules")
	for _, name := range files {
		src, _ := os.ReadFile(name)
		for i, line := range strings.Split(string(src), "\n") {
			if strings.Count(line, "/* ERROR") > 1 {
				t.Errorf("%s:%d: more than one ERROR marker on a line", name, i+1)
			}
		}
	}
}
