package rules

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sync"
	"testing"

	"cloud.google.com/go/firestore"

	"github.com/roomgate/roomgate/emulator/embedded"
	"github.com/roomgate/roomgate/emulator/emutest/emuclient"
	"github.com/roomgate/roomgate/emulator/rules/ast"
	"github.com/roomgate/roomgate/emulator/rules/parser"
)

// rulesPath is the shipped rules file, relative to this package.
const rulesPath = "../../firestore.rules"

// suite is the emulator the table runs against, set up by TestMain.
var suite *harness

// TestMain picks the emulator: the one named by FIRESTORE_EMULATOR_HOST
// (as `firebase emulators:exec` sets it) or else an embedded one started
// here. Either way the shipped rules are loaded through the emulator's
// REST endpoint, which also resets rule coverage.
func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	project := firstEnv("GCLOUD_PROJECT", "GOOGLE_CLOUD_PROJECT")
	if project == "" {
		project = embedded.DefaultProjectID
	}
	addr := os.Getenv("FIRESTORE_EMULATOR_HOST")
	if addr == "" {
		emu, err := embedded.Start(embedded.Options{ProjectID: project, Logf: func(string, ...any) {}})
		if err != nil {
			fmt.Fprintln(os.Stderr, "test/rules:", err)
			return 1
		}
		defer emu.Close()
		addr = emu.FirestoreAddr
	}
	src, err := os.ReadFile(rulesPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "test/rules:", err)
		return 1
	}
	h, err := newHarness(addr, project)
	if err != nil {
		fmt.Fprintln(os.Stderr, "test/rules:", err)
		return 1
	}
	defer h.close()
	if err := h.loadRules(string(src)); err != nil {
		fmt.Fprintf(os.Stderr, "test/rules: load %s into the emulator at %s: %v\n", rulesPath, addr, err)
		return 1
	}
	suite = h
	return m.Run()
}

func firstEnv(keys ...string) string {
	for _, k := range keys {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return ""
}

// harness talks to one emulator for one project: a Go Firestore client per
// identity, plus the emulator's REST endpoints for rules, data and
// coverage.
type harness struct {
	addr, project string
	admin         *firestore.Client

	mu      sync.Mutex
	clients map[string]*firestore.Client // by token
	closers []func() error

	// seeded is the key of the state currently stored; "" when the store
	// must be (re)seeded before the next case.
	seeded string
}

func newHarness(addr, project string) (*harness, error) {
	h := &harness{addr: addr, project: project, clients: map[string]*firestore.Client{}}
	admin, err := h.dial("owner")
	if err != nil {
		return nil, err
	}
	h.admin = admin
	return h, nil
}

// dial opens a real Go Firestore client sending token ("" for none). The
// connection is our own, so FIRESTORE_EMULATOR_HOST's admin credentials
// never leak into a user's client.
func (h *harness) dial(token string) (*firestore.Client, error) {
	c, closeAll, err := emuclient.NewClient(context.Background(), h.addr, h.project, token)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	h.closers = append(h.closers, closeAll)
	h.mu.Unlock()
	return c, nil
}

// as returns the client acting as u, creating it on first use.
func (h *harness) as(u user) (*firestore.Client, error) {
	tok := u.token(h.project)
	h.mu.Lock()
	c := h.clients[tok]
	h.mu.Unlock()
	if c != nil {
		return c, nil
	}
	c, err := h.dial(tok)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	h.clients[tok] = c
	h.mu.Unlock()
	return c, nil
}

func (h *harness) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := len(h.closers) - 1; i >= 0; i-- {
		h.closers[i]()
	}
	h.closers = nil
}

// user is who makes a request: a uid with custom claims, or nobody
// (uid "") for an unauthenticated client.
type user struct {
	name   string
	uid    string
	claims map[string]any
}

// token is u's unsigned emulator ID token ("" for nobody); the Firebase
// emulators accept it and expose its claims as request.auth.token.
func (u user) token(project string) string {
	if u.uid == "" {
		return ""
	}
	return emuclient.IDToken(project, u.uid, u.claims)
}

// rest sends one request to the emulator's REST surface and decodes a
// JSON answer into out (when not nil).
func (h *harness) rest(method, path string, body, out any) error {
	return emuclient.Call(context.Background(), method, "http://"+h.addr+path, body, out)
}

// loadRules installs src as the project's rules. A new ruleset starts
// with zero coverage.
func (h *harness) loadRules(src string) error {
	if err := emuclient.LoadRules(context.Background(), h.addr, h.project, src); err != nil {
		return err
	}
	h.seeded = ""
	return nil
}

// clear deletes every document of the project's default database.
func (h *harness) clear() error {
	h.seeded = ""
	return emuclient.ClearDocuments(context.Background(), h.addr, h.project)
}

// coverageRow is one allow statement in the emulator's coverage report
// (emulator/firestore/rest.go).
type coverageRow struct {
	Line      int      `json:"line"`
	Match     string   `json:"match"`
	Methods   []string `json:"methods"`
	Condition string   `json:"condition"`
	True      int64    `json:"true"`
	False     int64    `json:"false"`
	Error     int64    `json:"error"`
}

// coverage fetches the rule coverage report, one row per allow
// statement, from roomgate's format or from Google's (per-expression
// counts keyed by source position, matched here to the allows of src).
// ok is false when the report is in neither format.
func (h *harness) coverage(src []byte) (rows []coverageRow, ok bool, err error) {
	var rep struct {
		Rules  json.RawMessage `json:"rules"`
		Report []googleExpr    `json:"report"`
	}
	if err := h.rest(http.MethodGet, "/emulator/v1/projects/"+h.project+":ruleCoverage", nil, &rep); err != nil {
		return nil, false, err
	}
	switch {
	case len(rep.Rules) > 0 && rep.Rules[0] == '[':
		if err := json.Unmarshal(rep.Rules, &rows); err != nil {
			return nil, false, err
		}
		return rows, true, nil
	case rep.Report != nil:
		rows, err := googleCoverage(src, rep.Report)
		return rows, err == nil, err
	}
	return nil, false, nil
}

// googleExpr is one node of Google's emulator coverage report: an
// expression's source position and how often it evaluated to each value.
type googleExpr struct {
	SourcePosition struct {
		Line, Column, CurrentOffset, EndOffset int
	} `json:"sourcePosition"`
	Values []struct {
		Value map[string]any `json:"value"`
		Count int64          `json:"count"`
	} `json:"values"`
	Children []googleExpr `json:"children"`
}

// googleCoverage turns Google's per-expression report into per-allow
// rows: an allow's condition is the widest top-level expression starting
// where the condition starts. An allow whose condition is missing from
// the report was never evaluated.
func googleCoverage(src []byte, report []googleExpr) ([]coverageRow, error) {
	f, err := parser.ParseFile(rulesPath, src)
	if err != nil {
		return nil, err
	}
	var rows []coverageRow
	var visit func(prefix string, ms []*ast.Match)
	visit = func(prefix string, ms []*ast.Match) {
		for _, m := range ms {
			pattern := prefix + m.Pattern.String()
			for _, a := range m.Allows {
				row := coverageRow{Line: a.Pos.Line, Match: pattern, Condition: a.Text}
				for _, mm := range a.Methods {
					row.Methods = append(row.Methods, mm.Name)
				}
				if a.Cond == nil {
					row.True = 1 // unconditional: nothing to exercise
				} else if e := widestAt(report, a.Cond.Position()); e != nil {
					for _, v := range e.Values {
						switch b, isBool := v.Value["boolValue"].(bool); {
						case isBool && b:
							row.True += v.Count
						case isBool:
							row.False += v.Count
						default:
							row.Error += v.Count
						}
					}
				}
				rows = append(rows, row)
			}
			visit(pattern, m.Matches)
		}
	}
	if f.Service != nil {
		visit("", f.Service.Matches)
	}
	return rows, nil
}

func widestAt(report []googleExpr, pos ast.Pos) *googleExpr {
	var best *googleExpr
	for i := range report {
		e := &report[i]
		if e.SourcePosition.Line == pos.Line && e.SourcePosition.Column == pos.Col &&
			(best == nil || e.SourcePosition.EndOffset > best.SourcePosition.EndOffset) {
			best = e
		}
	}
	return best
}
