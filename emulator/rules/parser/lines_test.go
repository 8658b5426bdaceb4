package parser

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/roomgate/roomgate/emulator/rules/ast"
)

// caretTarget returns the text of e's snippet from the caret on: what the
// caret points at (the caret line has one character per rune).
func caretTarget(t *testing.T, e *Error) string {
	t.Helper()
	lines := strings.Split(e.Snippet(), "\n")
	if len(lines) != 3 {
		t.Fatalf("snippet has %d lines: %q", len(lines), e.Snippet())
	}
	at, runes := strings.Index(lines[2], "^"), []rune(lines[1])
	if at < 0 || at > len(runes) {
		t.Fatalf("caret at %d past the excerpt %q", at, lines[1])
	}
	return string(runes[at:])
}

func TestExcerptShortLinesWhole(t *testing.T) {
	src := []byte("first\r\n\tsecond line\nlast")
	x := NewLineIndex(src)
	for _, c := range []struct {
		pos  ast.Pos
		want string
	}{
		{ast.Pos{Line: 1, Col: 3}, "first"},
		{ast.Pos{Line: 2, Col: 2}, "\tsecond line"},
		{ast.Pos{Line: 3, Col: 5}, "last"}, // end of file
		{ast.Pos{Line: 4, Col: 1}, ""},     // past the source
		{ast.Pos{}, ""},
	} {
		text, col := x.Excerpt(c.pos)
		if text != c.want || col != 0 {
			t.Errorf("Excerpt(%v) = %q, %d; want %q, 0", c.pos, text, col, c.want)
		}
	}
	e := &Error{Pos: ast.Pos{Line: 2, Col: 9}}
	e.Line, e.LineCol = x.Excerpt(e.Pos)
	if got := caretTarget(t, e); got != "line" {
		t.Errorf("caret points at %q, want %q", got, "line")
	}
}

func TestExcerptLongLineWindow(t *testing.T) {
	// One line of 100 KB with a marker at three places: the start, the
	// middle and the end. Multi-byte runes make every cut land inside one
	// unless it is moved to a rune boundary.
	const n = 100 << 10
	filler := strings.Repeat("é", n/2)
	line := "START" + filler[:n/2] + "MIDDLE" + filler[:n/2] + "END"
	src := []byte("rules_version = '2';\n" + line + "\nnext\n")
	x := NewLineIndex(src)
	col := func(marker string) int { return strings.Index(line, marker) + 1 }
	for _, c := range []struct {
		marker         string
		prefix, suffix bool
	}{
		{"START", false, true},
		{"MIDDLE", true, true},
		{"END", true, false},
	} {
		e := &Error{Pos: ast.Pos{Line: 2, Col: col(c.marker)}, Msg: "m"}
		e.Line, e.LineCol = x.Excerpt(e.Pos)
		if len(e.Line) > MaxExcerpt+2*len(ellipsis) {
			t.Errorf("%s: excerpt of %d bytes, want at most %d", c.marker, len(e.Line), MaxExcerpt+2*len(ellipsis))
		}
		if !utf8.ValidString(e.Line) {
			t.Errorf("%s: excerpt is not valid UTF-8", c.marker)
		}
		if got := strings.HasPrefix(e.Line, ellipsis); got != c.prefix {
			t.Errorf("%s: starts with %q: %v, want %v", c.marker, ellipsis, got, c.prefix)
		}
		if got := strings.HasSuffix(e.Line, ellipsis); got != c.suffix {
			t.Errorf("%s: ends with %q: %v, want %v", c.marker, ellipsis, got, c.suffix)
		}
		if got := caretTarget(t, e); !strings.HasPrefix(got, c.marker) {
			t.Errorf("%s: caret points at %.20q", c.marker, got)
		}
	}
}

func TestParseErrorOnLongLineBounded(t *testing.T) {
	// Eleven errors deep into one 200 KB line: each carries a bounded
	// excerpt with the caret on the offending token.
	body := strings.Repeat(" ", 200<<10) + strings.Repeat("allow get: if ; ", 20)
	src := "rules_version = '2';\nservice cloud.firestore { match /databases/{d}/documents { match /x/{y} {" + body + "} } }\n"
	_, err := ParseFile("x.rules", []byte(src))
	list, ok := err.(ErrorList)
	if !ok || len(list) == 0 {
		t.Fatalf("err = %v, want an ErrorList", err)
	}
	for _, e := range list {
		if len(e.Line) > MaxExcerpt+2*len(ellipsis) {
			t.Errorf("%v: excerpt of %d bytes", e, len(e.Line))
		}
	}
	if got := caretTarget(t, list[0]); !strings.HasPrefix(got, "; ") {
		t.Errorf("caret points at %.20q, want the ';'", got)
	}
}
