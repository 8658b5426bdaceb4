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

func parseExprBlocks(t testing.TB, name string, lines []string) []*exprBlock {
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

// The tests below cover what the expression files cannot: Go-side inputs,
// the batch budget shared across operations, and the debug hook.

func mustParse(t *testing.T, src string) ast.Expr {
	t.Helper()
	x, err := parser.ParseExpr(src)
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	return x
}

func TestBatchBudgetIsSharedAcrossOperations(t *testing.T) {
	batch := &batchBudget{}
	cond := func(op int) ast.Expr {
		var parts []string
		for i := 0; i < 8; i++ {
			parts = append(parts, fmt.Sprintf("!exists(/databases/(default)/documents/op%d/d%d)", op, i))
		}
		return mustParse(t, strings.Join(parts, " && "))
	}
	var results []Result
	var last *evalContext
	for op := 0; op < 3; op++ {
		c := &evalContext{access: newAccessTracker(exprBefore, exprAfter, maxAccessPerOp, batch), database: "(default)"}
		_, res, _ := evalCondition(c, cond(op), exprScope(nil))
		results = append(results, res)
		last = c
	}
	// 8 + 8 calls fit in 20; the third operation gets 4 more, then is
	// refused.
	if results[0] != ResultTrue || results[1] != ResultTrue || results[2] != ResultError {
		t.Fatalf("results = %v, want [true true error]", results)
	}
	if batch.used != maxAccessBatch {
		t.Errorf("batch used %d calls, want %d", batch.used, maxAccessBatch)
	}
	if last.access.calls() != 4 || !last.access.limitExceeded() {
		t.Errorf("third op: calls %d exceeded %v, want 4 true", last.access.calls(), last.access.limitExceeded())
	}
}

func TestEvalConditionOutcomes(t *testing.T) {
	for _, tc := range []struct {
		src     string
		granted bool
		res     Result
		errText string
	}{
		{"request.auth.uid == 'alice'", true, ResultTrue, ""},
		{"request.auth.uid == 'bob'", false, ResultFalse, ""},
		{"resource.data.x == 1", false, ResultError, "Null value error."},
		{"'yes'", false, ResultError, "Expected: bool"},
	} {
		granted, res, errText := evalCondition(newExprContext(), mustParse(t, tc.src), exprScope(nil))
		if granted != tc.granted || res != tc.res || !strings.Contains(errText, tc.errText) {
			t.Errorf("%s: got (%v, %v, %q), want (%v, %v, %q)", tc.src, granted, res, errText, tc.granted, tc.res, tc.errText)
		}
	}
}

func TestDebugWritesToHook(t *testing.T) {
	var buf bytes.Buffer
	c := newExprContext()
	c.debugOut = &buf
	v := c.eval(mustParse(t, "debug(request.auth.uid) == 'alice' && debug(1) == 1"), exprScope(nil))
	if b, _ := boolValue(v); !b {
		t.Fatalf("got %s, want true", formatValue(v))
	}
	if got, want := buf.String(), "string_value: \"alice\"\nint_value: 1\n"; got != want {
		t.Errorf("debug output %q, want %q", got, want)
	}
}

func TestFromGo(t *testing.T) {
	ts := time.Date(2024, 2, 3, 4, 5, 6, 7, time.UTC)
	for _, tc := range []struct {
		in   any
		want string
	}{
		{nil, "null"},
		{true, "true"},
		{int64(-5), "-5"},
		{7, "7"},
		{uint8(200), "200"},
		{uint64(1 << 63), `error("Unsupported value: unsigned integer 9223372036854775808 overflows int.")`},
		{1.5, "1.5"},
		{float32(0.5), "0.5"},
		{"s", `"s"`},
		{[]byte{0, 'a'}, `b"\x00a"`},
		{ts, `timestamp("2024-02-03T04:05:06.000000007Z")`},
		{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), `error("Timestamp out of range error: timestamps must lie in 0001-01-01T00:00:00Z..9999-12-31T23:59:59.999999999Z.")`},
		{LatLng{Lat: 1, Lng: 2}, "latlng(1.0, 2.0)"},
		{Reference("/databases/(default)/documents/a/b"), `path("/databases/(default)/documents/a/b")`},
		{[]any{int64(1), "x"}, `[1, "x"]`},
		{map[string]any{"b": nil, "a": []any{}}, `{"a": [], "b": null}`},
		{struct{}{}, `error("Unsupported value: Go type struct {} is not a document value.")`},
		// An unsupported value anywhere makes the whole value an error,
		// so a caller's bug cannot hide inside a map.
		{map[string]any{"ok": 1, "bad": struct{}{}}, `error("Unsupported value: Go type struct {} is not a document value.")`},
	} {
		if got := formatValue(fromGo(tc.in)); got != tc.want {
			t.Errorf("fromGo(%#v) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestResourceValue(t *testing.T) {
	if v := resourceValue(nil, "(default)"); formatValue(v) != "null" {
		t.Errorf("nil doc: %s", formatValue(v))
	}
	v := resourceValue(&Document{Path: "/databases/(default)/documents/rooms/r1"}, "(default)")
	want := `{"__name__": path("/databases/(default)/documents/rooms/r1"), "data": {}, "id": "r1"}`
	if got := formatValue(v); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestNilAccessTrackerMeansNoDocuments(t *testing.T) {
	c := &evalContext{database: "(default)"}
	v := c.eval(mustParse(t, "exists(/databases/(default)/documents/users/alice)"), exprScope(nil))
	if formatValue(v) != "false" || c.access.calls() != 1 {
		t.Errorf("got %s with %d calls, want false with 1", formatValue(v), c.access.calls())
	}
}

func TestErrorsCarryTheirPosition(t *testing.T) {
	v := newExprContext().eval(mustParse(t, "true &&\n  data.missing == 1"), exprScope(nil))
	if p := errorPos(v); p.Line != 2 || p.Col != 3 {
		t.Errorf("error at %v, want 2:3 (%s)", p, formatValue(v))
	}
}
