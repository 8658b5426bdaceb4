package fidelity

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// section is one ruleset of a decide-format file with its cases.
type section struct {
	id    string // file:line of the "rules" header
	src   string // full rules source
	cases []*fcase
	// compileErrs are the file's compile-error expectations: the section
	// is a compile case, compared on whether each emulator rejects it.
	compileErrs []string
	// warnings are the file's warning expectations ("line:col text"):
	// each is compared on whether each emulator reports it.
	warnings []string
}

// fcase is one request of the corpus.
type fcase struct {
	id     string // file:line
	stored []storedDoc
	state  int // stored-state version: equal numbers mean equal stores
	caller *caller
	op     op
	// expect is the file's expectation ("allow"/"deny"), checked
	// against Google only for the probes (whose expectations record
	// Google's behaviour); the engine's own files state the engine's.
	expect string
	// skip, when set, is why the case cannot go through a client.
	skip string
}

// wrapRules wraps a decide-format body as decide_test.go does.
func wrapRules(mode string, body []string) string {
	src := strings.Join(body, "\n")
	switch mode {
	case "v2":
		return "rules_version = '2'; service cloud.firestore { match /databases/{database}/documents { " + src + "\n}}\n"
	case "v1":
		return "service cloud.firestore { match /databases/{database}/documents { " + src + "\n}}\n"
	}
	return src
}

// loadDecideFiles parses every file matching glob.
func loadDecideFiles(glob, prefix string) ([]*section, error) {
	files, err := filepath.Glob(glob)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no files match %s", glob)
	}
	var all []*section
	for _, f := range files {
		secs, err := parseDecideFile(f, prefix+filepath.Base(f))
		if err != nil {
			return nil, err
		}
		all = append(all, secs...)
	}
	return all, nil
}

// parseDecideFile reads one file in decide_test.go's format. Commands
// with no client equivalent become cases with skip set.
func parseDecideFile(path, name string) ([]*section, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var (
		secs    []*section
		cur     *section
		body    []string
		mode    string
		inBody  bool
		stored  []storedDoc
		state   int
		who     *caller
		timeSet bool
	)
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		where := fmt.Sprintf("%s:%d", name, lineNo)
		if inBody {
			if strings.TrimSpace(line) == "----" {
				inBody = false
				cur.src = wrapRules(mode, body)
				continue
			}
			body = append(body, line)
			continue
		}
		trim := strings.TrimSpace(line)
		if trim == "" || strings.HasPrefix(trim, "#") {
			continue
		}
		if f := strings.Fields(trim); f[0] == "rules" {
			if len(f) != 2 {
				return nil, fmt.Errorf("%s: bad rules header", where)
			}
			cur = &section{id: where}
			secs = append(secs, cur)
			mode, body, inBody = f[1], nil, true
			stored, who, timeSet = nil, nil, false
			state++
			continue
		}
		if cur == nil {
			return nil, fmt.Errorf("%s: command before any ruleset", where)
		}
		verb, rest, _ := strings.Cut(trim, " ")
		rest = strings.TrimSpace(rest)
		switch verb {
		case "stored":
			p, js, _ := strings.Cut(rest, " ")
			v, err := parseValue(js)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			m, _ := v.(map[string]any)
			// Copy on write: earlier cases keep their slice.
			next := append(append([]storedDoc(nil), withoutPath(stored, relPath(p))...), storedDoc{relPath(p), m})
			stored = next
			state++
			continue
		case "auth":
			uid, js, _ := strings.Cut(rest, " ")
			if uid == "none" {
				who = nil
				continue
			}
			claims := map[string]any{}
			if strings.TrimSpace(js) != "" {
				v, err := parseValue(js)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", where, err)
				}
				claims, _ = v.(map[string]any)
			}
			who = &caller{uid: uid, claims: claims}
			continue
		case "time":
			// request.time is the server's clock on both emulators.
			timeSet = true
			continue
		case "compile-error":
			cur.compileErrs = append(cur.compileErrs, rest)
			continue
		case "warning":
			cur.warnings = append(cur.warnings, rest)
			continue
		case "warnings":
			// The count is the engine's check; each warning is compared.
			continue
		}
		spec, exp, ok := cutLast(rest, "=>")
		if !ok {
			return nil, fmt.Errorf("%s: missing => expectation", where)
		}
		c := &fcase{id: where, stored: stored, state: state, caller: who, expect: strings.Fields(exp)[0]}
		if timeSet {
			c.skip = "sets request.time (the emulators use their clock)"
		}
		o, skip, err := parseOp(verb, spec)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		c.op = o
		if c.skip == "" {
			c.skip = skip
		}
		cur.cases = append(cur.cases, c)
	}
	if inBody {
		return nil, fmt.Errorf("%s: ruleset body not closed", name)
	}
	return secs, nil
}

func withoutPath(docs []storedDoc, p string) []storedDoc {
	var out []storedDoc
	for _, d := range docs {
		if d.path != p {
			out = append(out, d)
		}
	}
	return out
}

const defaultRoot = "/databases/(default)/documents/"

// relPath turns a decide path into one relative to the default
// database's root ("" prefix kept for other databases, which a client of
// the default database cannot reach).
func relPath(p string) string {
	if strings.HasPrefix(p, "/databases/") {
		if r, ok := strings.CutPrefix(p, defaultRoot); ok {
			return r
		}
		return p
	}
	return strings.TrimPrefix(p, "/")
}

// parseOp turns one decide command into a client operation; skip says why
// the command cannot be sent through a client.
func parseOp(verb, spec string) (op, string, error) {
	switch verb {
	case "get", "delete", "create", "update", "set":
		p, js, _ := strings.Cut(spec, " ")
		o := op{kind: verb, path: relPath(p)}
		if strings.HasPrefix(o.path, "/") {
			return o, "path in another database", nil
		}
		if n := strings.Count(o.path, "/"); n%2 == 0 {
			return o, "path names a collection, not a document", nil
		}
		if verb != "get" && verb != "delete" {
			v, err := parseValue(js)
			if err != nil {
				return o, "", err
			}
			o.data, _ = v.(map[string]any)
		}
		return o, "", nil
	case "list", "group":
		p, js, _ := strings.Cut(spec, " ")
		o := op{kind: verb, path: relPath(p)}
		if verb == "list" && (strings.HasPrefix(o.path, "/") || strings.Count(o.path, "/")%2 == 1) {
			return o, "query parent outside the default database", nil
		}
		if strings.TrimSpace(js) == "" {
			return o, "", nil
		}
		var raw struct {
			Where   json.RawMessage `json:"where"`
			Limit   *int            `json:"limit"`
			Offset  int             `json:"offset"`
			OrderBy []string        `json:"orderBy"`
		}
		if err := json.Unmarshal([]byte(js), &raw); err != nil {
			return o, "", fmt.Errorf("query %s: %w", js, err)
		}
		o.query = &querySpec{limit: raw.Limit, offset: raw.Offset, orderBy: raw.OrderBy}
		if len(raw.Where) > 0 {
			w, err := parseValue(string(raw.Where))
			if err != nil {
				return o, "", err
			}
			o.query.where = w
		}
		return o, "", nil
	case "batch":
		o := op{kind: "batch"}
		skip := ""
		for _, part := range strings.Split(spec, ";") {
			part = strings.TrimSpace(part)
			v, _, _ := strings.Cut(part, " ")
			w, s, err := parseOp(v, strings.TrimSpace(part[len(v):]))
			if err != nil {
				return o, "", err
			}
			if !w.isWrite() {
				return o, "", fmt.Errorf("batch holds a %s", v)
			}
			if s != "" {
				skip = s
			}
			o.batch = append(o.batch, w)
		}
		return o, skip, nil
	}
	return op{}, "", fmt.Errorf("unknown command %q", verb)
}

func cutLast(s, sep string) (string, string, bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+len(sep):]), true
}
