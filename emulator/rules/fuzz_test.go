package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/roomgate/roomgate/emulator/rules/parser"
)

// FuzzEval parses a fuzzed expression and evaluates it in the fixed scope
// of the data-driven tests (with their documents). It checks that
// evaluation never panics, stays within the access-call cap, and is
// deterministic (a second evaluation prints the same value). Hangs show
// up as the fuzzer's timeout. Seeds are every expression of
// testdata/expr.
//
//	go test -run '^$' -fuzz '^FuzzEval$' -fuzztime 2m ./emulator/rules
func FuzzEval(f *testing.F) {
	files, _ := filepath.Glob("testdata/expr/*.txt")
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		lines := strings.Split(strings.TrimRight(string(src), "\n"), "\n")
		for _, b := range parseExprBlocks(f, file, lines) {
			if b.cmd == "eval" || b.cmd == "access" {
				f.Add(b.input)
			}
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		x, err := parser.ParseExpr(src)
		if err != nil {
			return
		}
		s := exprScope(nil)
		c1 := newExprContext()
		v1 := c1.eval(x, s)
		if v1 == nil {
			t.Fatalf("eval(%q) returned nil", src)
		}
		if c1.access.calls() > maxAccessPerOp {
			t.Fatalf("eval(%q) charged %d access calls", src, c1.access.calls())
		}
		c2 := newExprContext()
		v2 := c2.eval(x, s)
		if a, b := formatValue(v1), formatValue(v2); a != b {
			t.Fatalf("eval(%q) is not deterministic: %s then %s", src, a, b)
		}
		evalCondition(newExprContext(), x, s)
	})
}
