package parser_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/roomgate/roomgate/emulator/rules/ast"
	"github.com/roomgate/roomgate/emulator/rules/parser"
)

// FuzzParse feeds arbitrary bytes to ParseFile and ParseExpr. Beyond "no
// panic, no hang" it checks the parser's contract: a file is always
// returned; errors are sorted, positioned inside the source and at most
// ten plus "too many errors"; and a file or expression that parses
// without error prints to text that parses back to the same print.
//
//	go test -run '^$' -fuzz '^FuzzParse$' -fuzztime 2m ./emulator/rules/parser
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.rules")
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	for _, tc := range exprTests {
		f.Add([]byte(tc.src))
	}
	f.Add([]byte(sampleRules))
	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := parser.ParseFile("fuzz.rules", src)
		if file == nil {
			t.Fatal("ParseFile returned a nil file")
		}
		checkErrors(t, src, err)
		if err == nil {
			printed := ast.PrintFile(file)
			again, err := parser.ParseFile("printed.rules", []byte(printed))
			if err != nil {
				t.Fatalf("printed file does not parse:\n%s\n%v", printed, err)
			}
			if p2 := ast.PrintFile(again); p2 != printed {
				t.Fatalf("print is not stable:\n%s\n---\n%s", printed, p2)
			}
		}

		x, err := parser.ParseExpr(string(src))
		if x == nil {
			t.Fatal("ParseExpr returned a nil expression")
		}
		checkErrors(t, src, err)
		if err == nil {
			printed := ast.Print(x)
			y, err := parser.ParseExpr(printed)
			if err != nil {
				t.Fatalf("printed expression %q does not parse: %v", printed, err)
			}
			if p2 := ast.Print(y); p2 != printed {
				t.Fatalf("print is not stable: %q vs %q", printed, p2)
			}
		}
	})
}

func checkErrors(t *testing.T, src []byte, err error) {
	t.Helper()
	if err == nil {
		return
	}
	el, ok := err.(parser.ErrorList)
	if !ok || len(el) == 0 {
		t.Fatalf("error %T %v is not a non-empty ErrorList", err, err)
	}
	if len(el) > 11 {
		t.Fatalf("%d errors, want at most 11", len(el))
	}
	_ = el.Error() // rendering must not panic
	for i, e := range el {
		if !e.Pos.IsValid() || e.Pos.Offset < 0 || e.Pos.Offset > len(src) || e.Pos.Col < 1 {
			t.Fatalf("error %q has bad position %+v for %d bytes of source", e.Msg, e.Pos, len(src))
		}
		if e.Msg == "" {
			t.Fatal("error without message")
		}
		if len(src) <= parser.MaxSourceSize {
			// Line and column agree with the offset.
			line := 1 + strings.Count(string(src[:e.Pos.Offset]), "\n")
			col := e.Pos.Offset - (strings.LastIndexByte(string(src[:e.Pos.Offset]), '\n') + 1) + 1
			if line != e.Pos.Line || col != e.Pos.Col {
				t.Fatalf("error %q at %v but offset %d is %d:%d", e.Msg, e.Pos, e.Pos.Offset, line, col)
			}
		}
		if i > 0 && el[i-1].Pos.Offset > e.Pos.Offset {
			t.Fatal("errors are not sorted")
		}
		if utf8.ValidString(string(src)) && !utf8.ValidString(e.Line) {
			t.Fatalf("error line %q is not valid UTF-8", e.Line)
		}
	}
}
