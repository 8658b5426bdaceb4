package rules

// Data-driven decision suite: every file under testdata/decide/*.txt is a
// sequence of sections, each a ruleset followed by requests and the
// decision each must get.
//
// File format (line oriented; '#' starts a comment line):
//
//	rules v2          a ruleset section; the body lines follow. The body is
//	                  wrapped as `rules_version = '2'; service cloud.firestore {
//	                  match /databases/{database}/documents {` + body + `}}`,
//	                  with the wrapper on the body's first line, so body line k
//	                  is source line k. "rules v1" wraps without the version
//	                  line; "rules raw" takes the body as the whole source.
//	----              ends the body; commands follow until the next "rules".
//
// Commands (paths are relative to /databases/(default)/documents unless
// they start with /databases/):
//
//	stored <path> <json>            a document of the state before requests
//	auth <uid> [<json claims>]      the caller of the following requests
//	auth none                       unauthenticated (the initial caller)
//	time <RFC3339>                  request.time (default 2025-01-02T03:04:05Z)
//	get <path> => <expect>
//	delete <path> => <expect>
//	create <path> <json> => <expect>
//	update <path> <json> => <expect>   top-level fields merged into the stored doc
//	                                   (in a batch: into what an earlier write left)
//	set <path> <json> => <expect>      create, or update replacing the whole doc
//	list <collection path> [<json query>] => <expect>
//	group <collection id> [<json query>] => <expect>   collection-group query
//	batch <op> ; <op> ... => <expect>  ops are create/update/set/delete as above
//	compile-error <line>:<col> <text>  the ruleset fails to compile with an
//	                                   error at that position containing text
//	warning <line>:<col> <text>        the ruleset compiles with a warning at
//	                                   that position whose text contains text
//	warnings <n>                       it has exactly n warnings
//
// JSON values: integers are int, numbers with '.' or an exponent are float;
// "$time" is request.time (a server timestamp); {"$ts": "<RFC3339>"} is a
// timestamp; {"$ref": "<path>"} a reference; {"$bytes": "<base64>"} bytes;
// {"$latlng": [lat, lng]} a geo point; {"$vector": [x, y, ...]} a vector
// (components are numbers or the strings "NaN", "Infinity", "-Infinity");
// {"$float": "NaN"} (or "Infinity", "-Infinity") a float JSON cannot write.
//
// A query is {"where": F, "limit": n, "offset": n, "orderBy": ["a", "-b"]}
// where F is ["field", "op", value], ["field", "is-null"] (unary ops),
// {"and": [F...]} or {"or": [F...]}.
//
// An expectation is `allow` or `deny`, then optional checks:
//
//	@L<n>              the granting allow is on line n
//	calls=<n>          access calls charged (a batch: in total)
//	opcalls=<n>,<n>..  a batch: access calls charged to each operation
//	outcomes=<r>,<r>.. results of the evaluated allows, in order (true/false/error)
//	reason~"text"      the reason contains text (a Go string literal)
//	reason="text"      the reason is exactly text

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/roomgate/roomgate/emulator/rules/parser"
)

const decideRoot = "/databases/(default)/documents"

var decideTime = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// decideDocs is a map-backed Documents.
type decideDocs map[string]*Document

func (m decideDocs) Lookup(p string) *Document { return m[p] }

func decidePath(p string) string {
	if strings.HasPrefix(p, "/databases/") {
		return p
	}
	return decideRoot + "/" + strings.TrimPrefix(p, "/")
}

// suite is the state of one file while it runs.
type suite struct {
	t       *testing.T
	file    string
	rs      *Ruleset
	compErr error
	stored  decideDocs
	auth    *Auth
	now     time.Time
	// pending holds, while a batch is built, the documents its earlier
	// writes leave (nil: deleted), which a later update applies to.
	pending map[string]*Document
}

func TestDecideFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/decide/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata files: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { runDecideFile(t, f) })
	}
}

func runDecideFile(t *testing.T, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s := &suite{t: t, file: filepath.Base(file)}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	lineNo := 0
	var body []string
	mode := ""
	inBody := false
	cases := 0
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		if inBody {
			if strings.TrimSpace(line) == "----" {
				inBody = false
				s.load(mode, body, lineNo)
				continue
			}
			body = append(body, line)
			continue
		}
		trim := strings.TrimSpace(line)
		if trim == "" || strings.HasPrefix(trim, "#") {
			continue
		}
		if strings.HasPrefix(trim, "rules") {
			f := strings.Fields(trim)
			if len(f) != 2 || (f[1] != "v1" && f[1] != "v2" && f[1] != "raw") {
				t.Fatalf("%s:%d: want `rules v1|v2|raw`", s.file, lineNo)
			}
			mode, body, inBody = f[1], nil, true
			continue
		}
		if s.rs == nil && s.compErr == nil {
			t.Fatalf("%s:%d: command before any ruleset", s.file, lineNo)
		}
		verb := strings.Fields(trim)[0]
		if verb == "stored" || verb == "auth" || verb == "time" {
			// State for the cases that follow, not a case itself.
			s.command(t, trim)
			continue
		}
		t.Run(fmt.Sprintf("L%d_%s", lineNo, verb), func(t *testing.T) { s.command(t, trim) })
		cases++
	}
	if inBody {
		t.Fatalf("%s: ruleset body not closed with ----", s.file)
	}
	if cases == 0 {
		t.Fatalf("%s: no cases", s.file)
	}
}

// load compiles a section's ruleset and resets the state.
func (s *suite) load(mode string, body []string, lineNo int) {
	src := strings.Join(body, "\n")
	switch mode {
	case "v2":
		src = "rules_version = '2'; service cloud.firestore { match /databases/{database}/documents { " + src + "\n}}\n"
	case "v1":
		src = "service cloud.firestore { match /databases/{database}/documents { " + src + "\n}}\n"
	}
	s.rs, s.compErr = Compile(fmt.Sprintf("%s@%d", s.file, lineNo), []byte(src))
	s.stored = decideDocs{}
	s.auth = nil
	s.now = decideTime
}

func (s *suite) command(t *testing.T, line string) {
	verb, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	if verb == "compile-error" {
		s.expectCompileError(t, rest)
		return
	}
	if s.compErr != nil {
		t.Fatalf("ruleset did not compile: %v", s.compErr)
	}
	switch verb {
	case "warning":
		pos, text, _ := strings.Cut(rest, " ")
		for _, w := range s.rs.Warnings() {
			if w.Pos.String() == pos && strings.Contains(w.Msg, text) {
				return
			}
		}
		t.Fatalf("no warning at %s containing %q; warnings:\n%v", pos, text, s.rs.Warnings())
		return
	case "warnings":
		if n, _ := strconv.Atoi(rest); len(s.rs.Warnings()) != n {
			t.Fatalf("%d warnings, want %s:\n%v", len(s.rs.Warnings()), rest, s.rs.Warnings())
		}
		return
	case "stored":
		p, js, _ := strings.Cut(rest, " ")
		data := s.decodeMap(t, js)
		s.stored[decidePath(p)] = &Document{Path: decidePath(p), Data: data}
		return
	case "auth":
		uid, js, _ := strings.Cut(rest, " ")
		if uid == "none" {
			s.auth = nil
			return
		}
		tok := map[string]any{}
		if strings.TrimSpace(js) != "" {
			tok = s.decodeMap(t, js)
		}
		tok["sub"] = uid
		s.auth = &Auth{UID: uid, Token: tok}
		return
	case "time":
		tm, err := time.Parse(time.RFC3339Nano, rest)
		if err != nil {
			t.Fatal(err)
		}
		s.now = tm
		return
	}
	op, exp, ok := cutLast(rest, "=>")
	if !ok {
		t.Fatalf("missing `=> expectation`")
	}
	e := parseExpect(t, exp)
	switch verb {
	case "get", "delete", "create", "update", "set":
		req := s.request(t, verb+" "+op)
		d := s.rs.Decide(req)
		e.check(t, d.Allowed, d.Reason(), d.AccessCalls, d.Granted, d.Outcomes, nil)
	case "list", "group":
		q := s.query(t, verb, op)
		d := s.rs.DecideQuery(q)
		e.check(t, d.Allowed, d.Reason(), d.AccessCalls, d.Granted, d.Outcomes, nil)
	case "batch":
		var reqs []*Request
		s.pending = map[string]*Document{}
		for _, part := range strings.Split(op, ";") {
			r := s.request(t, strings.TrimSpace(part))
			reqs = append(reqs, r)
			s.pending[r.Path], _ = writtenDoc(r)
		}
		s.pending = nil
		bd := s.rs.DecideBatch(reqs)
		var opCalls []int
		var outs []Outcome
		for _, d := range bd.Ops {
			opCalls = append(opCalls, d.AccessCalls)
			outs = append(outs, d.Outcomes...)
		}
		e.check(t, bd.Allowed, bd.Reason(), bd.AccessCalls, nil, outs, opCalls)
	default:
		t.Fatalf("unknown command %q", verb)
	}
}

func cutLast(s, sep string) (string, string, bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+len(sep):]), true
}

// request builds a single-document request from "verb path [json]".
func (s *suite) request(t *testing.T, spec string) *Request {
	verb, rest, _ := strings.Cut(spec, " ")
	p, js, _ := strings.Cut(strings.TrimSpace(rest), " ")
	path := decidePath(p)
	req := &Request{Path: path, Auth: s.auth, Time: s.now, Before: s.stored, Resource: s.stored[path]}
	switch verb {
	case "get":
		req.Method = MethodGet
	case "delete":
		req.Method = MethodDelete
	case "create":
		req.Method = MethodCreate
		req.Resource = nil
		req.Incoming = &Document{Path: path, Data: s.decodeMap(t, js)}
	case "set":
		req.Method = MethodCreate
		if req.Resource != nil {
			req.Method = MethodUpdate
		}
		req.Incoming = &Document{Path: path, Data: s.decodeMap(t, js)}
	case "update":
		req.Method = MethodUpdate
		merged := map[string]any{}
		base := req.Resource
		if d, ok := s.pending[path]; ok {
			// A batch's earlier write of this document: the update
			// applies to what that write left, as a server applies it.
			base = d
		}
		if base != nil {
			for k, v := range base.Data {
				merged[k] = v
			}
		}
		for k, v := range s.decodeMap(t, js) {
			merged[k] = v
		}
		req.Incoming = &Document{Path: path, Data: merged}
	default:
		t.Fatalf("unknown operation %q", verb)
	}
	if verb != "get" && verb != "delete" {
		writeShape(t, req, verb == "update", js)
	}
	return req
}

// writeShape gives req the update mask and transforms the Go client sends
// for the write (as test/fidelity sends it): a "$time" value in a map is a
// server-timestamp transform of its path (sorted), and an update's mask
// names its other top-level fields.
func writeShape(t *testing.T, req *Request, update bool, js string) {
	var raw map[string]any
	if err := json.Unmarshal([]byte(js), &raw); err != nil {
		t.Fatalf("write data %s: %v", js, err)
	}
	var walk func(prefix []string, m map[string]any)
	walk = func(prefix []string, m map[string]any) {
		for k, v := range m {
			p := append(prefix[:len(prefix):len(prefix)], k)
			switch x := v.(type) {
			case string:
				if x == "$time" {
					req.Transforms = append(req.Transforms, p)
				}
			case map[string]any:
				walk(p, x)
			}
		}
	}
	walk(nil, raw)
	sort.Slice(req.Transforms, func(i, j int) bool {
		return strings.Join(req.Transforms[i], "\x00") < strings.Join(req.Transforms[j], "\x00")
	})
	if !update {
		return
	}
	req.HasUpdateMask = true
	req.UpdateMask = [][]string{}
	for k, v := range raw {
		if v != "$time" {
			req.UpdateMask = append(req.UpdateMask, []string{k})
		}
	}
	sort.Slice(req.UpdateMask, func(i, j int) bool { return req.UpdateMask[i][0] < req.UpdateMask[j][0] })
}

// query builds a Query from "list <collection path> [json]" or
// "group <collection id> [json]".
func (s *suite) query(t *testing.T, verb, spec string) *Query {
	p, js, _ := strings.Cut(spec, " ")
	q := &Query{Auth: s.auth, Time: s.now, Before: s.stored, Parent: decideRoot}
	if verb == "group" {
		q.CollectionID = p
		q.AllDescendants = true
	} else {
		full := decidePath(p)
		i := strings.LastIndex(full, "/")
		q.Parent, q.CollectionID = full[:i], full[i+1:]
	}
	if strings.TrimSpace(js) == "" {
		return q
	}
	var raw struct {
		Where   json.RawMessage `json:"where"`
		Limit   *int64          `json:"limit"`
		Offset  int64           `json:"offset"`
		OrderBy []string        `json:"orderBy"`
	}
	if err := json.Unmarshal([]byte(js), &raw); err != nil {
		t.Fatalf("query %s: %v", js, err)
	}
	q.Limit, q.Offset = raw.Limit, raw.Offset
	for _, o := range raw.OrderBy {
		q.OrderBy = append(q.OrderBy, Order{Field: strings.TrimPrefix(o, "-"), Descending: strings.HasPrefix(o, "-")})
	}
	if len(raw.Where) > 0 {
		f := s.filter(t, s.decode(t, string(raw.Where)))
		q.Where = &f
	}
	return q
}

func (s *suite) filter(t *testing.T, v any) Filter {
	switch x := v.(type) {
	case []any:
		if len(x) < 2 {
			t.Fatalf("bad filter %v", x)
		}
		f := Filter{Field: x[0].(string), Op: FilterOp(x[1].(string))}
		if len(x) > 2 {
			f.Value = x[2]
		}
		return f
	case map[string]any:
		for k, sub := range x {
			f := Filter{Op: FilterOp(k)}
			for _, c := range sub.([]any) {
				f.Filters = append(f.Filters, s.filter(t, c))
			}
			return f
		}
	}
	t.Fatalf("bad filter %v", v)
	return Filter{}
}

func (s *suite) decodeMap(t *testing.T, js string) map[string]any {
	v := s.decode(t, js)
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("want a JSON object, got %s", js)
	}
	return m
}

// decode parses JSON into request.go's Go types.
func (s *suite) decode(t *testing.T, js string) any {
	dec := json.NewDecoder(strings.NewReader(js))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("bad JSON %s: %v", js, err)
	}
	return s.convert(t, v)
}

func (s *suite) convert(t *testing.T, v any) any {
	switch x := v.(type) {
	case json.Number:
		if strings.ContainsAny(x.String(), ".eE") {
			f, _ := x.Float64()
			return f
		}
		i, err := x.Int64()
		if err != nil {
			t.Fatalf("bad int %s", x)
		}
		return i
	case string:
		if x == "$time" {
			return s.now
		}
		return x
	case []any:
		for i := range x {
			x[i] = s.convert(t, x[i])
		}
		return x
	case map[string]any:
		if len(x) == 1 {
			for k, e := range x {
				switch k {
				case "$ts":
					tm, err := time.Parse(time.RFC3339Nano, e.(string))
					if err != nil {
						t.Fatal(err)
					}
					return tm
				case "$ref":
					return Reference(decidePath(e.(string)))
				case "$bytes":
					b, err := base64.StdEncoding.DecodeString(e.(string))
					if err != nil {
						t.Fatal(err)
					}
					return b
				case "$latlng":
					ll := e.([]any)
					lat, _ := ll[0].(json.Number).Float64()
					lng, _ := ll[1].(json.Number).Float64()
					return LatLng{Lat: lat, Lng: lng}
				case "$float":
					s, _ := e.(string)
					f, err := strconv.ParseFloat(s, 64)
					if err != nil {
						t.Fatalf("bad $float %v", e)
					}
					return f
				case "$vector":
					return decideVector(t, e)
				}
			}
		}
		for k := range x {
			x[k] = s.convert(t, x[k])
		}
		return x
	}
	return v
}

// decideVector reads the components of a {"$vector": [...]} marker.
func decideVector(t *testing.T, e any) Vector {
	l, ok := e.([]any)
	if !ok {
		t.Fatalf("bad $vector %v", e)
	}
	v := make(Vector, len(l))
	for i, n := range l {
		switch x := n.(type) {
		case json.Number:
			v[i], _ = x.Float64()
		case string:
			f, err := strconv.ParseFloat(x, 64)
			if err != nil {
				t.Fatalf("bad $vector component %q", x)
			}
			v[i] = f
		default:
			t.Fatalf("bad $vector component %v", n)
		}
	}
	return v
}

func (s *suite) expectCompileError(t *testing.T, spec string) {
	pos, text, _ := strings.Cut(spec, " ")
	if s.compErr == nil {
		t.Fatalf("ruleset compiled; want an error at %s containing %s", pos, text)
	}
	var list parser.ErrorList
	if !errors.As(s.compErr, &list) {
		t.Fatalf("compile error is %T, want parser.ErrorList", s.compErr)
	}
	want, err := strconv.Unquote(text)
	if err != nil {
		want = text
	}
	for _, e := range list {
		if e.Pos.String() == pos && strings.Contains(e.Msg, want) {
			return
		}
	}
	t.Fatalf("no error at %s containing %q in:\n%v", pos, want, s.compErr)
}

// expect is a parsed expectation.
type expect struct {
	allow    bool
	line     int
	calls    int
	opCalls  string
	outcomes string
	contains string
	equals   *string
	raw      string
}

func parseExpect(t *testing.T, s string) expect {
	e := expect{calls: -1, raw: s}
	word, rest, _ := strings.Cut(s, " ")
	switch word {
	case "allow":
		e.allow = true
	case "deny":
	default:
		t.Fatalf("expectation must start with allow or deny: %q", s)
	}
	rest = strings.TrimSpace(rest)
	for rest != "" {
		var tok string
		switch {
		case strings.HasPrefix(rest, "reason~") || strings.HasPrefix(rest, "reason="):
			q, err := strconv.QuotedPrefix(rest[7:])
			if err != nil {
				t.Fatalf("bad reason string in %q: %v", s, err)
			}
			text, _ := strconv.Unquote(q)
			if rest[6] == '~' {
				e.contains = text
			} else {
				e.equals = &text
			}
			rest = strings.TrimSpace(rest[7+len(q):])
			continue
		default:
			tok, rest, _ = strings.Cut(rest, " ")
			rest = strings.TrimSpace(rest)
		}
		var err error
		switch {
		case strings.HasPrefix(tok, "@L"):
			e.line, err = strconv.Atoi(tok[2:])
		case strings.HasPrefix(tok, "calls="):
			e.calls, err = strconv.Atoi(tok[6:])
		case strings.HasPrefix(tok, "opcalls="):
			e.opCalls = tok[8:]
		case strings.HasPrefix(tok, "outcomes="):
			e.outcomes = tok[9:]
		default:
			err = fmt.Errorf("unknown check %q", tok)
		}
		if err != nil {
			t.Fatalf("bad expectation %q: %v", s, err)
		}
	}
	return e
}

func (e expect) check(t *testing.T, allowed bool, reason string, calls int, granted *Outcome, outs []Outcome, opCalls []int) {
	t.Helper()
	if allowed != e.allow {
		t.Errorf("allowed = %v, want %v (reason: %s)", allowed, e.allow, reason)
	}
	if e.line > 0 {
		if granted == nil {
			t.Errorf("granted by nothing, want @L%d", e.line)
		} else if granted.Line != e.line {
			t.Errorf("granted @L%d, want @L%d", granted.Line, e.line)
		}
	}
	if e.calls >= 0 && calls != e.calls {
		t.Errorf("access calls = %d, want %d (reason: %s)", calls, e.calls, reason)
	}
	if e.opCalls != "" {
		parts := make([]string, len(opCalls))
		for i, c := range opCalls {
			parts[i] = strconv.Itoa(c)
		}
		if got := strings.Join(parts, ","); got != e.opCalls {
			t.Errorf("per-operation calls = %s, want %s", got, e.opCalls)
		}
	}
	if e.outcomes != "" {
		parts := make([]string, len(outs))
		for i, o := range outs {
			parts[i] = string(o.Result)
		}
		if got := strings.Join(parts, ","); got != e.outcomes {
			t.Errorf("outcomes = %s, want %s (reason: %s)", got, e.outcomes, reason)
		}
	}
	if e.contains != "" && !strings.Contains(reason, e.contains) {
		t.Errorf("reason %q does not contain %q", reason, e.contains)
	}
	if e.equals != nil && reason != *e.equals {
		t.Errorf("reason = %q, want %q", reason, *e.equals)
	}
	if t.Failed() {
		for _, o := range outs {
			t.Logf("  outcome L%d %s: %s %s", o.Line, o.Condition, o.Result, o.Err)
		}
	}
}
