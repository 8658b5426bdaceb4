package rules

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/roomgate/roomgate/emulator/rules/parser"
)

// oneLineRuleset is a ruleset whose match block holds n copies of stmt on
// a single line, each of which draws one warning or error.
func oneLineRuleset(n int, stmt string) []byte {
	return []byte("rules_version = '2';\nservice cloud.firestore {\n  match /databases/{database}/documents {\n    match /x/{d} {" +
		strings.Repeat(stmt, n) + "}\n  }\n}\n")
}

// checkBounded asserts that list holds maxIssues entries with bounded
// excerpts cut from their long line, sorted, then one positionless "... and N more <noun>s".
func checkBounded(t *testing.T, list parser.ErrorList, total int, noun string) {
	t.Helper()
	if len(list) != maxIssues+1 {
		t.Fatalf("%d %ss listed, want %d and a summary", len(list), noun, maxIssues)
	}
	for i, e := range list[:maxIssues] {
		if !e.Pos.IsValid() || e.Filename != "x.rules" {
			t.Fatalf("%s %d: %+v", noun, i, e)
		}
		if len(e.Line) > parser.MaxExcerpt+6 || !strings.HasSuffix(e.Line, "...") {
			t.Errorf("%s %d: excerpt of %d bytes: %.40q", noun, i, len(e.Line), e.Line)
		}
		if i > 0 && e.Pos.Offset < list[i-1].Pos.Offset {
			t.Errorf("%s %d at %v listed after %v", noun, i, e.Pos, list[i-1].Pos)
		}
	}
	last := list[maxIssues]
	if want := fmt.Sprintf("... and %d more %ss", total-maxIssues, noun); last.Msg != want || last.Pos.IsValid() || last.Line != "" {
		t.Errorf("last %s = %+v, want %q without a position", noun, last, want)
	}
}

func TestCompileWarningsBounded(t *testing.T) {
	// The reported hostile shape: thousands of non-boolean conditions on
	// one line of a quarter megabyte.
	const n = 16000
	rs, err := Compile("x.rules", oneLineRuleset(n, "allow get:if 1;"))
	if err != nil {
		t.Fatal(err)
	}
	if rs.WarningCount() != n {
		t.Errorf("WarningCount = %d, want %d", rs.WarningCount(), n)
	}
	list := rs.Warnings()
	checkBounded(t, list, n, "warning")
	if !strings.Contains(list[0].Msg, "Permission statements expect a boolean value") {
		t.Errorf("first warning %q", list[0].Msg)
	}
	// The caret of the first warning sits under its condition.
	snip := strings.Split(list[0].Snippet(), "\n")
	at := strings.Index(snip[2], "^")
	if at < 0 || at >= len(snip[1]) || snip[1][at] != '1' {
		t.Errorf("caret at %d under %q", at, snip[1])
	}
}

func TestCompileWarningsUnderLimitUnchanged(t *testing.T) {
	rs, err := Compile("x.rules", oneLineRuleset(3, "allow get:if 1;"))
	if err != nil {
		t.Fatal(err)
	}
	list := rs.Warnings()
	if len(list) != 3 || rs.WarningCount() != 3 {
		t.Fatalf("%d warnings listed, %d counted; want 3", len(list), rs.WarningCount())
	}
	for _, e := range list {
		if e.Line != "    match /x/{d} {allow get:if 1;allow get:if 1;allow get:if 1;}" || e.LineCol != 0 {
			t.Errorf("excerpt %q (col %d), want the whole line", e.Line, e.LineCol)
		}
	}
}

func TestCompileErrorsBounded(t *testing.T) {
	// Invalid regular expressions are compile errors; a line of them
	// reports the first maxIssues.
	const n = 5000
	_, err := Compile("x.rules", oneLineRuleset(n, "allow get:if 'a'.matches('(');"))
	var list parser.ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error %v, want a parser.ErrorList", err)
	}
	checkBounded(t, list, n, "error")
}

func TestCompileCyclesBounded(t *testing.T) {
	// A chain of functions f0 -> f1 -> ... -> f199 whose last one calls
	// back into the chain from many places: every call back is a cycle
	// as long as the chain. They are counted, and the first maxIssues
	// are reported.
	const chain, back = 200, 3000
	var b strings.Builder
	b.WriteString("rules_version = '2';\nservice cloud.firestore {\n  match /databases/{database}/documents {\n")
	for i := 0; i < chain-1; i++ {
		fmt.Fprintf(&b, "function f%d() { return f%d(); }\n", i, i+1)
	}
	fmt.Fprintf(&b, "function f%d() { return [%sf0()]; }\n", chain-1, strings.Repeat("f0(), ", back-1))
	b.WriteString("match /x/{d} { allow get: if f0(); }\n  }\n}\n")
	src := []byte(b.String())
	_, err := Compile("x.rules", src)
	var list parser.ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error %v, want a parser.ErrorList", err)
	}
	// findCycles copies only the cycles it reports.
	f, err := parser.ParseFile("x.rules", src)
	if err != nil {
		t.Fatal(err)
	}
	fs := f.Service.Matches[0].Functions
	sc := &compileScope{funcs: indexFuncs(fs)}
	var graph []funcNode
	for _, fn := range fs {
		graph = append(graph, funcNode{decl: fn, scope: sc})
	}
	if cycles, more := findCycles(graph, maxIssues); len(cycles) != maxIssues || more != back-maxIssues {
		t.Errorf("findCycles: %d cycles and %d more, want %d and %d", len(cycles), more, maxIssues, back-maxIssues)
	}
	if len(list) != maxIssues+1 {
		t.Fatalf("%d errors listed, want %d and a summary", len(list), maxIssues)
	}
	if !strings.HasPrefix(list[0].Msg, "recursive function call: f0 -> f1 -> ") {
		t.Errorf("first error %q", list[0].Msg)
	}
	if want := fmt.Sprintf("... and %d more errors", back-maxIssues); list[maxIssues].Msg != want {
		t.Errorf("summary %q, want %q", list[maxIssues].Msg, want)
	}
}
