package rules

// Data-driven tests of the expression evaluator.
//
// Each file testdata/expr/*.txt holds blocks separated by blank lines.
// Lines starting with '#' outside a block are comments. A block is
//
//	<command>
//	<input: one or more lines>
//	----
//	<expected: one or more lines>
//
// Commands:
//
//	eval      the input is an expression, parsed with parser.ParseExpr and
//	          evaluated in the test scope (below) with a fresh evalContext;
//	          expected is the value printed by formatValue (value_format.go),
//	          or "error: <substring>" for an error value whose text contains
//	          the substring.
//	access    as eval, and the expected text has a second line
//	          "calls: N": the access calls charged to the operation.
//	define    the input is function declarations; they are parsed inside a
//	          service and become visible to the file's later blocks (as
//	          service-level functions). Expected is "ok".
//
// The test scope binds: database = "(default)"; data = {"name": "alice",
// "n": 3, "tags": ["a", "b"], "nested": {"x": 1}}; request = {"auth":
// {"uid": "alice", "token": {"email": "alice@example.com",
// "email_verified": true}}, "method": "create", "path":
// /databases/(default)/documents/rooms/r1, "time":
// 2025-06-01T12:00:00Z, "resource": <resource rooms/r1 with data>};
// resource = null; nothing = null. Documents (before): users/alice
// {"name": "Alice", "admin": true}, rooms/r0 {"members": ["alice"]}.
// After: the same plus rooms/r1 (the data above).
//
// Run with -rewrite to replace every expected section with what the
// evaluator produces now (review the diff before committing).

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/roomgate/roomgate/emulator/rules/ast"
	"github.com/roomgate/roomgate/emulator/rules/parser"
)

// The -rewrite flag may also be registered by another test file of this
// package; register it only if nobody has, and read it by name.
func init() {
	if flag.Lookup("rewrite") == nil {
		flag.Bool("rewrite", false, "rewrite the expected output of testdata files")
	}
}

func rewriteExpr() bool {
	f := flag.Lookup("rewrite")
	return f != nil && f.Value.String() == "true"
}

// exprDocs is an in-memory Documents view.
type exprDocs map[string]map[string]any

func (m exprDocs) Lookup(path string) *Document {
	d, ok := m[path]
	if !ok {
		return nil
	}
	return &Document{Path: path, Data: d}
}

const exprDocRoot = "/databases/(default)/documents/"

var (
	exprTime = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	exprData = map[string]any{
		"name":   "alice",
		"n":      int64(3),
		"tags":   []any{"a", "b"},
		"nested": map[string]any{"x": int64(1)},
	}
	exprBefore = exprDocs{
		exprDocRoot + "users/alice": {"name": "Alice", "admin": true},
		exprDocRoot + "rooms/r0":    {"members": []any{"alice"}},
	}
	exprAfter = exprDocs{
		exprDocRoot + "users/alice": exprBefore[exprDocRoot+"users/alice"],
		exprDocRoot + "rooms/r0":    exprBefore[exprDocRoot+"rooms/r0"],
		exprDocRoot + "rooms/r1":    exprData,
	}
)

// exprScope builds the scope described in the file comment, with fns as
// service-level functions.
func exprScope(fns []*ast.Function) *scope {
	root := &scope{vars: map[string]Value{
		"database": stringValue("(default)"),
		"data":     fromGo(exprData),
		"request": mapValue(map[string]Value{
			"auth": fromGo(map[string]any{
				"uid":   "alice",
				"token": map[string]any{"email": "alice@example.com", "email_verified": true},
			}),
			"method":   stringValue("create"),
			"path":     pathValue(exprDocRoot + "rooms/r1"),
			"time":     timestampValue(exprTime),
			"resource": resourceValue(&Document{Path: exprDocRoot + "rooms/r1", Data: exprData}, "(default)"),
		}),
		"resource": nullValue(),
		"nothing":  nullValue(),
	}}
	if len(fns) == 0 {
		return root
	}
	svc := &scope{parent: root, funcs: map[string]*funcDef{}}
	for _, f := range fns {
		svc.funcs[f.Name] = &funcDef{decl: f, defScope: svc}
	}
	return &scope{parent: svc}
}

func newExprContext() *evalContext {
	return &evalContext{
		access:   newAccessTracker(exprBefore, exprAfter, maxAccessPerOp, nil),
		database: "(default)",
	}
}

// exprBlock is one command of a test file.
type exprBlock struct {
	line     int // line of the command
	cmd      string
	input    string
	expected string
	// start and end are the line indexes of the expected section, for
	// -rewrite.
	start, end int
}

func parseExprBlocks(t *testing.T, name string, lines []string) []*exprBlock {
	var blocks []*exprBlock
	for i := 0; i < len(lines); {
		l := strings.TrimSpace(lines[i])
		if l == "" || strings.HasPrefix(l, "#") {
			i++
			continue
		}
		b := &exprBlock{line: i + 1, cmd: l}
		i++
		var in []string
		for i < len(lines) && lines[i] != "----" {
			in = append(in, lines[i])
			i++
		}
		if i == len(lines) {
			t.Fatalf("%s:%d: block without ----", name, b.line)
		}
		i++ // ----
		b.start = i
		var out []string
		for i < len(lines) && strings.TrimSpace(lines[i]) != "" {
			out = append(out, lines[i])
			i++
		}
		b.end = i
		b.input = strings.Join(in, "\n")
		b.expected = strings.Join(out, "\n")
		blocks = append(blocks, b)
	}
	return blocks
}

func TestEvalData(t *testing.T) {
	files, err := filepath.Glob("testdata/expr/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimRight(string(src), "\n"), "\n")
			blocks := parseExprBlocks(t, file, lines)
			var fns []*ast.Function
			actual := make(map[*exprBlock]string)
			for _, b := range blocks {
				got := runExprBlock(t, file, b, &fns)
				actual[b] = got
				if rewriteExpr() {
					continue
				}
				if !exprMatches(got, b.expected) {
					t.Errorf("%s:%d: %s\n%s\ngot:  %s\nwant: %s", file, b.line, b.cmd, b.input, got, b.expected)
				}
			}
			if rewriteExpr() {
				writeExprBack(t, file, lines, blocks, actual)
			}
		})
	}
}

// matches compares output with an expectation; "error: s" matches any
// error whose text contains s.
func exprMatches(got, want string) bool {
	if rest, ok := strings.CutPrefix(want, "error: "); ok {
		first, tail, _ := strings.Cut(got, "\n")
		wfirst, wtail, _ := strings.Cut(rest, "\n")
		return strings.HasPrefix(first, "error: ") && strings.Contains(first, wfirst) && tail == wtail
	}
	return got == want
}

func runExprBlock(t *testing.T, file string, b *exprBlock, fns *[]*ast.Function) string {
	switch b.cmd {
	case "define":
		src := "rules_version = '2';\nservice cloud.firestore {\n" + b.input + "\n}\n"
		f, err := parser.ParseFile(file, []byte(src))
		if err != nil {
			t.Fatalf("%s:%d: define: %v", file, b.line, err)
		}
		*fns = append(*fns, f.Service.Functions...)
		return "ok"
	case "eval", "access":
		x, err := parser.ParseExpr(b.input)
		if err != nil {
			return "parse error: " + err.Error()
		}
		c := newExprContext()
		v := c.eval(x, exprScope(*fns))
		out := formatValue(v)
		if isError(v) {
			out = "error: " + errorText(v)
		}
		if b.cmd == "access" {
			out += fmt.Sprintf("\ncalls: %d", c.access.calls())
		}
		return out
	}
	t.Fatalf("%s:%d: unknown command %q", file, b.line, b.cmd)
	return ""
}

// writeExprBack rewrites the expected sections, keeping "error: substring"
// expectations that still match.
func writeExprBack(t *testing.T, file string, lines []string, blocks []*exprBlock, actual map[*exprBlock]string) {
	var out bytes.Buffer
	next := 0
	for _, b := range blocks {
		for ; next < b.start; next++ {
			out.WriteString(lines[next] + "\n")
		}
		got := actual[b]
		if exprMatches(got, b.expected) {
			got = b.expected
		}
		out.WriteString(got + "\n")
		next = b.end
	}
	for ; next < len(lines); next++ {
		out.WriteString(lines[next] + "\n")
	}
	if err := os.WriteFile(file, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
