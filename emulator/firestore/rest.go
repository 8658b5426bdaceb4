package firestore

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strings"

	"github.com/roomgate/roomgate/emulator/internal/loopback"
	"github.com/roomgate/roomgate/emulator/rules"
	"github.com/roomgate/roomgate/emulator/rules/parser"
)

// The emulator's HTTP/1.1 endpoints on the gRPC port
// (rules, clearing data, coverage, export). Like Google's emulator they
// need no credentials: the emulator is meant to listen on loopback only. A
// browser request from a page that is not on this machine is refused, and
// a POST must be JSON (loopback.CheckAdmin), so no web page can drive them.
//
//	GET    /                                                 "Ok"
//	PUT    /emulator/v1/projects/{p}:securityRules           load rules
//	DELETE /emulator/v1/projects/{p}/databases/{d}/documents  clear data
//	GET    /emulator/v1/projects/{p}:ruleCoverage[.html]     rule coverage
//	POST   /emulator/v1/projects/{p}:export                  export documents

// maxRESTBody caps request bodies (rules sources are far smaller).
const maxRESTBody = 8 << 20

func (s *server) restHandler() http.Handler {
	return http.HandlerFunc(s.serveREST)
}

func (s *server) serveREST(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxRESTBody)
	if r.URL.Path == "/" && r.Method == http.MethodGet {
		io.WriteString(w, "Ok\n")
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/emulator/v1/projects/")
	if !ok {
		s.restUnhandled(w, r)
		return
	}
	if !loopback.CheckAdmin(w, r) {
		return
	}
	if project, action, ok := strings.Cut(rest, ":"); ok && project != "" && !strings.Contains(project, "/") {
		switch {
		case action == "securityRules" && r.Method == http.MethodPut:
			s.putRules(w, r, project)
			return
		case action == "ruleCoverage" && r.Method == http.MethodGet:
			s.getCoverage(w, project)
			return
		case action == "ruleCoverage.html" && r.Method == http.MethodGet:
			s.getCoverageHTML(w, project)
			return
		case action == "export" && r.Method == http.MethodPost:
			s.postExport(w, r, project)
			return
		}
	}
	// DELETE /emulator/v1/projects/{p}/databases/{d}/documents
	if parts := strings.Split(rest, "/"); len(parts) == 4 && parts[1] == "databases" && parts[3] == "documents" && r.Method == http.MethodDelete && parts[0] != "" && parts[2] != "" {
		s.st.clear("projects/" + parts[0] + "/databases/" + parts[2])
		writeJSON(w, http.StatusOK, map[string]any{})
		return
	}
	s.restUnhandled(w, r)
}

// restUnhandled answers requests the emulator does not model with a
// clear 404 rather than something plausible.
func (s *server) restUnhandled(w http.ResponseWriter, r *http.Request) {
	s.logf("REST: unhandled %s %s", r.Method, r.URL.Path)
	writeError(w, http.StatusNotFound, fmt.Sprintf("the emulator does not serve %s %s", r.Method, r.URL.Path))
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// writeError uses Google's JSON error shape.
func writeError(w http.ResponseWriter, code int, msg string) {
	st := map[int]string{400: "INVALID_ARGUMENT", 404: "NOT_FOUND", 500: "INTERNAL"}[code]
	writeJSON(w, code, map[string]any{"error": map[string]any{"code": code, "message": msg, "status": st}})
}

// rulesIssue is one problem in Google's securityRules response shape.
type rulesIssue struct {
	SourcePosition struct {
		FileName  string `json:"fileName"`
		FileIndex int    `json:"fileIndex"`
		Line      int    `json:"line"`
		Column    int    `json:"column"`
		// CurrentOffset is the issue's byte offset in the file, as
		// Google's emulator reports it (its endOffset is not modelled).
		CurrentOffset int `json:"currentOffset"`
	} `json:"sourcePosition"`
	Description string `json:"description"`
	// Severity is the Rules API enum's name, as Google's emulator writes
	// it ("ERROR", "WARNING"; observed), not its number.
	Severity string `json:"severity"`
}

// putRules compiles and installs a project's rules. The body is parsed
// as JSON whatever its Content-Type (rules-unit-testing sends none).
func (s *server) putRules(w http.ResponseWriter, r *http.Request, project string) {
	var body struct {
		Rules struct {
			Files []struct {
				Name    string `json:"name"`
				Content string `json:"content"`
			} `json:"files"`
		} `json:"rules"`
		IgnoreErrors bool `json:"ignore_errors"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "request body is not valid JSON: "+err.Error())
		return
	}
	if len(body.Rules.Files) != 1 {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("expected exactly one rules file, got %d", len(body.Rules.Files)))
		return
	}
	f := body.Rules.Files[0]
	name := f.Name
	if name == "" {
		name = "firestore.rules"
	}
	rs, err := rules.Compile(name, []byte(f.Content))
	if err != nil {
		issues, text := compileIssues(name, err)
		s.logf("rules for project %s rejected:\n%s", project, text)
		// Google's emulator's message: "Error compiling rules:" and one
		// "L<line>:<col> <description>" line per issue (observed); ours
		// adds the caret snippets after a blank line.
		msg := "Error compiling rules:"
		for _, is := range issues {
			if is.SourcePosition.Line > 0 {
				msg += fmt.Sprintf("\nL%d:%d %s", is.SourcePosition.Line, is.SourcePosition.Column, is.Description)
			} else {
				msg += "\n" + is.Description
			}
		}
		msg += "\n\n" + text
		if body.IgnoreErrors {
			writeJSON(w, http.StatusOK, map[string]any{"issues": issues})
			return
		}
		writeJSON(w, http.StatusBadRequest, map[string]any{
			"error":  map[string]any{"code": 400, "message": msg, "status": "INVALID_ARGUMENT"},
			"issues": issues,
		})
		return
	}
	s.rules.set(project, &loadedRules{rs: rs, name: name, src: f.Content})
	// Warnings load, as in Google's emulator, which lists them as issues
	// of severity WARNING in the 200 answer.
	warnings, text := positionedIssues(name, rs.Warnings(), "WARNING")
	if len(warnings) > 0 {
		noun := "warnings"
		if len(warnings) == 1 {
			noun = "warning"
		}
		s.logf("rules loaded for project %s (%s) with %d %s:\n%s", project, name, len(warnings), noun, text)
	} else {
		s.logf("rules loaded for project %s (%s)", project, name)
	}
	writeJSON(w, http.StatusOK, map[string]any{"issues": warnings})
}

// compileIssues turns a compile error into positioned issues and a
// readable text with caret snippets.
func compileIssues(name string, err error) ([]rulesIssue, string) {
	var list parser.ErrorList
	if !errors.As(err, &list) {
		var one *parser.Error
		if errors.As(err, &one) {
			list = parser.ErrorList{one}
		}
	}
	if len(list) == 0 {
		is := rulesIssue{Description: err.Error(), Severity: "ERROR"}
		is.SourcePosition.FileName = name
		return []rulesIssue{is}, err.Error()
	}
	return positionedIssues(name, list, "ERROR")
}

// positionedIssues turns a list of positioned problems into issues of the
// given severity and a readable text with caret snippets.
func positionedIssues(name string, list parser.ErrorList, severity string) ([]rulesIssue, string) {
	issues := make([]rulesIssue, 0, len(list))
	var text strings.Builder
	for _, e := range list {
		is := rulesIssue{Description: e.Msg, Severity: severity}
		is.SourcePosition.FileName = name
		is.SourcePosition.Line, is.SourcePosition.Column = e.Pos.Line, e.Pos.Col
		is.SourcePosition.CurrentOffset = e.Pos.Offset
		issues = append(issues, is)
		text.WriteString(e.Snippet())
		text.WriteByte('\n')
	}
	return issues, text.String()
}

// coverageRow is one allow statement in the coverage report.
type coverageRow struct {
	Line      int      `json:"line"`
	Column    int      `json:"column"`
	Match     string   `json:"match"`
	Methods   []string `json:"methods"`
	Condition string   `json:"condition"`
	True      int64    `json:"true"`
	False     int64    `json:"false"`
	Error     int64    `json:"error"`
	Exercised bool     `json:"exercised"`
}

func (s *server) coverage(project string) (*loadedRules, []coverageRow) {
	lr := s.rules.get(project)
	if lr == nil {
		return nil, nil
	}
	var rows []coverageRow
	for _, e := range lr.rs.Coverage() {
		rows = append(rows, coverageRow{Line: e.Line, Column: e.Col, Match: e.Match, Methods: e.Methods, Condition: e.Condition,
			True: e.True, False: e.False, Error: e.Error, Exercised: e.Evaluations() > 0})
	}
	return lr, rows
}

func (s *server) getCoverage(w http.ResponseWriter, project string) {
	lr, rows := s.coverage(project)
	if lr == nil {
		writeError(w, http.StatusNotFound, "no rules are loaded for project "+project)
		return
	}
	if rows == nil {
		rows = []coverageRow{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"project": project, "file": lr.name, "rules": rows})
}

var coverageTmpl = template.Must(template.New("cov").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Rule coverage: {{.Project}}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em}
table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.never{background:#fde2e2}
code{white-space:pre-wrap}
</style></head><body>
<h1>Rule coverage for {{.Project}}</h1>
<p>{{.File}}: {{.Exercised}} of {{len .Rows}} allow statements exercised.
Rows highlighted in red were never evaluated.</p>
<table>
<tr><th>Line</th><th>Match</th><th>Methods</th><th>Condition</th><th>true</th><th>false</th><th>error</th></tr>
{{range .Rows}}<tr{{if not .Exercised}} class="never"{{end}}><td class="n">{{.Line}}</td><td><code>{{.Match}}</code></td><td>{{range $i, $m := .Methods}}{{if $i}}, {{end}}{{$m}}{{end}}</td><td><code>{{if .Condition}}{{.Condition}}{{else}}(unconditional){{end}}</code></td><td class="n">{{.True}}</td><td class="n">{{.False}}</td><td class="n">{{.Error}}</td></tr>
{{end}}</table></body></html>
`))

func (s *server) getCoverageHTML(w http.ResponseWriter, project string) {
	lr, rows := s.coverage(project)
	if lr == nil {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, "<!doctype html><p>No rules are loaded for project %s.</p>\n", template.HTMLEscapeString(project))
		return
	}
	n := 0
	for _, r := range rows {
		if r.Exercised {
			n++
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	coverageTmpl.Execute(w, map[string]any{"Project": project, "File": lr.name, "Rows": rows, "Exercised": n})
}
