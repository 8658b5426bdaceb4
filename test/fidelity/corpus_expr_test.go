package fidelity

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// exprData is what eval_test.go binds to `data`; the probes bind it (and
// `nothing`) with let, so expressions naming them mean the same.
const exprData = `{"name": "alice", "n": 3, "tags": ["a", "b"], "nested": {"x": 1}}`

// exprStored is the documents eval_test.go's scope can read.
var exprStored = []storedDoc{
	{"users/alice", map[string]any{"name": "Alice", "admin": true}},
	{"rooms/r0", map[string]any{"members": []any{"alice"}}},
}

// exprCaller is eval_test.go's request.auth.
var exprCaller = &caller{uid: "alice", claims: map[string]any{"email": "alice@example.com", "email_verified": true}}

const (
	exprHeader = "rules_version = '2';\nservice cloud.firestore {\nmatch /databases/{database}/documents {\nmatch /e/none { allow get: if false; }\n"
	exprFooter = "}\n}\n"
)

// exprFile is one testdata/expr file turned into droppable parts.
type exprFile struct {
	name  string
	parts []*part
}

// loadExprFiles turns each expression case into a part with two probes,
// both gets of a missing document under rules that evaluate E, the
// case's expression, against V, its expected value as a rules literal:
//
//	c<k>: allow get: if (E) == V
//	d<k>: allow get: if ((E) == V) == false
//
// c allows when E is V, d when E is a value other than V, and neither
// when E is an error, so the pair tells value, other value and error
// apart. When the expected value has no literal (an error, a float in
// exponent form, a document), V is null, which still separates errors
// from values.
func loadExprFiles(glob string) ([]*exprFile, error) {
	files, err := filepath.Glob(glob)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no files match %s", glob)
	}
	var out []*exprFile
	k := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		ef := &exprFile{name: "expr/" + filepath.Base(f)}
		lines := strings.Split(string(data), "\n")
		for i := 0; i < len(lines); i++ {
			cmd := strings.TrimSpace(lines[i])
			if cmd != "eval" && cmd != "access" && cmd != "define" {
				continue
			}
			start := i + 1
			var input, expected []string
			j := i + 1
			for ; j < len(lines) && strings.TrimSpace(lines[j]) != "----"; j++ {
				input = append(input, lines[j])
			}
			for j++; j < len(lines) && strings.TrimSpace(lines[j]) != ""; j++ {
				expected = append(expected, lines[j])
			}
			i = j
			id := fmt.Sprintf("%s:%d", ef.name, start)
			if cmd == "define" {
				// One part per function, so a function one compiler
				// rejects (recursion, say) leaves the others defined.
				var fn []string
				flush := func(at int) {
					if len(fn) > 0 {
						ef.parts = append(ef.parts, &part{id: fmt.Sprintf("%s:%d", ef.name, at), line: strings.Join(fn, "\n")})
					}
					fn = nil
				}
				at := start
				for n, l := range input {
					if strings.HasPrefix(l, "function ") {
						flush(at)
						at = start + n
					}
					fn = append(fn, l)
				}
				flush(at)
				continue
			}
			k++
			expr := strings.Join(input, " ")
			want := ""
			if len(expected) > 0 {
				want = strings.TrimSpace(expected[0])
			}
			lit := rulesLiteral(want)
			if lit == "" {
				lit = "null"
			}
			// Google rejects unused let bindings: bind only what E names.
			lets := ""
			if dataRE.MatchString(expr) {
				lets += "let data = " + exprData + "; "
			}
			if nothingRE.MatchString(expr) {
				lets += "let nothing = null; "
			}
			line := fmt.Sprintf("function f%d() { %sreturn (%s) == %s; } function g%d() { %sreturn ((%s) == %s) == false; } match /e/c%d { allow get: if f%d(); } match /e/d%d { allow get: if g%d(); }",
				k, lets, expr, lit, k, lets, expr, lit, k, k, k, k)
			pt := &part{id: id, line: line}
			pt.cases = []*fcase{
				{id: id + " ==", caller: exprCaller, op: op{kind: "get", path: fmt.Sprintf("e/c%d", k)}},
				{id: id + " !=", caller: exprCaller, op: op{kind: "get", path: fmt.Sprintf("e/d%d", k)}},
			}
			ef.parts = append(ef.parts, pt)
		}
		out = append(out, ef)
	}
	return out, nil
}

var (
	intRE     = regexp.MustCompile(`^-?[0-9]+$`)
	floatRE   = regexp.MustCompile(`^-?[0-9]+\.[0-9]+$`)
	dataRE    = regexp.MustCompile(`(^|[^.\w])data\b`)
	nothingRE = regexp.MustCompile(`(^|[^.\w])nothing\b`)
	callRE    = regexp.MustCompile(`^(timestamp|duration|path|set|latlng)\((.*)\)$`)
)

// rulesLiteral writes an expected value of eval_test.go's format
// (value_format.go) as a rules expression, or "" when it has none.
func rulesLiteral(s string) string {
	switch {
	case s == "true", s == "false", s == "null":
		return s
	case intRE.MatchString(s):
		if n, err := strconv.ParseInt(s, 10, 64); err != nil || n == math.MinInt64 {
			return ""
		}
		return s
	case floatRE.MatchString(s):
		return s
	case strings.HasPrefix(s, `"`):
		if _, err := strconv.Unquote(s); err != nil {
			return ""
		}
		return s
	case strings.HasPrefix(s, "[") || strings.HasPrefix(s, "{"):
		if !json.Valid([]byte(s)) || regexp.MustCompile(`[0-9][eE]`).MatchString(s) {
			return ""
		}
		return s
	}
	m := callRE.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	arg := m[2]
	switch m[1] {
	case "timestamp":
		t, err := time.Parse(time.RFC3339Nano, strings.Trim(arg, `"`))
		if err != nil || t.Nanosecond()%1e6 != 0 {
			return ""
		}
		return fmt.Sprintf("timestamp.value(%d)", t.UnixMilli())
	case "duration":
		d, err := time.ParseDuration(strings.Trim(arg, `"`))
		if err != nil {
			return ""
		}
		return fmt.Sprintf("duration.value(%d, 'ns')", d.Nanoseconds())
	case "path":
		if _, err := strconv.Unquote(arg); err != nil {
			return ""
		}
		return "path(" + arg + ")"
	case "set":
		if inner := rulesLiteral(arg); inner != "" {
			return inner + ".toSet()"
		}
	case "latlng":
		return "latlng.value(" + arg + ")"
	}
	return ""
}
