package fidelity

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/option"
	"google.golang.org/grpc"

	"github.com/roomgate/roomgate/emulator/emutest/emuclient"
)

// target is one emulator under comparison: one gRPC connection whose
// per-RPC credentials come from the call's context, a Go Firestore client
// per project on it, and the emulator's REST surface.
type target struct {
	name string // "google" or "roomgate"
	addr string
	conn *grpc.ClientConn
	web  *http.Client

	mu      sync.Mutex
	clients map[string]*firestore.Client
}

// withToken makes the calls under ctx send "Bearer tok" ("" sends none).
func withToken(ctx context.Context, tok string) context.Context { return emuclient.WithToken(ctx, tok) }

func newTarget(name, addr string) (*target, error) {
	// Credentials with no token of their own send the token of each
	// call's context, so one connection serves every caller without a
	// caller's token leaking into another's call.
	conn, err := emuclient.Dial(addr, emuclient.Credentials{})
	if err != nil {
		return nil, err
	}
	return &target{name: name, addr: addr, conn: conn, web: &http.Client{Timeout: 60 * time.Second}, clients: map[string]*firestore.Client{}}, nil
}

// client is the real Go Firestore client for project.
func (tg *target) client(project string) (*firestore.Client, error) {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	if c := tg.clients[project]; c != nil {
		return c, nil
	}
	c, err := firestore.NewClient(context.Background(), project, option.WithGRPCConn(tg.conn))
	if err != nil {
		return nil, err
	}
	tg.clients[project] = c
	return c, nil
}

func (tg *target) close() {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	// The clients share tg.conn; closing it ends them all.
	tg.clients = nil
	tg.conn.Close()
}

// rest sends one request to the emulator's REST surface.
func (tg *target) rest(method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, "http://"+tg.addr+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := tg.web.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	return resp.StatusCode, b, err
}

// compileError is a ruleset the emulator rejected: its message and the
// source lines it names.
type compileError struct {
	msg   string
	lines []int
}

func (e *compileError) Error() string { return e.msg }

// googleLineRE finds the positions in Google's "Error compiling rules:\nL3:14 ..." text.
var googleLineRE = regexp.MustCompile(`(?m)^L(\d+):\d+ (.*)$`)

// loadRules installs src as project's rules. A ruleset the emulator
// rejects comes back as *compileError; anything else failing is a plain error.
func (tg *target) loadRules(project, src string) error {
	_, err := tg.loadRulesWarnings(project, src)
	return err
}

// loadRulesWarnings is loadRules that also returns the warnings of a
// ruleset the emulator loaded, as "line:col description".
func (tg *target) loadRulesWarnings(project, src string) ([]string, error) {
	body := map[string]any{"rules": map[string]any{"files": []map[string]string{{"name": "firestore.rules", "content": src}}}}
	code, b, err := tg.rest(http.MethodPut, "/emulator/v1/projects/"+project+":securityRules", body)
	if err != nil {
		return nil, err
	}
	if code/100 == 2 {
		var ok struct {
			Issues []struct {
				SourcePosition struct {
					Line   int `json:"line"`
					Column int `json:"column"`
				} `json:"sourcePosition"`
				Description string `json:"description"`
				Severity    string `json:"severity"`
			} `json:"issues"`
		}
		if err := json.Unmarshal(b, &ok); err != nil {
			return nil, fmt.Errorf("%s: load rules: HTTP %d: %s", tg.name, code, b)
		}
		var warnings []string
		for _, is := range ok.Issues {
			if is.Severity == "WARNING" {
				warnings = append(warnings, fmt.Sprintf("%d:%d %s", is.SourcePosition.Line, is.SourcePosition.Column, is.Description))
			}
		}
		return warnings, nil
	}
	if code != http.StatusBadRequest {
		return nil, fmt.Errorf("%s: load rules: HTTP %d: %s", tg.name, code, b)
	}
	var resp struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
		Issues []struct {
			SourcePosition struct {
				Line int `json:"line"`
			} `json:"sourcePosition"`
		} `json:"issues"`
	}
	if err := json.Unmarshal(b, &resp); err != nil {
		return nil, fmt.Errorf("%s: load rules: HTTP %d: %s", tg.name, code, b)
	}
	ce := &compileError{msg: resp.Error.Message}
	// Google's text lists warnings (unused variables, comparisons that
	// are always false) among the errors; blame the first real error's
	// line, or the first line when only warnings name one.
	var errLines, warnLines []int
	for _, is := range resp.Issues {
		errLines = append(errLines, is.SourcePosition.Line)
	}
	for _, m := range googleLineRE.FindAllStringSubmatch(resp.Error.Message, -1) {
		n, _ := strconv.Atoi(m[1])
		if strings.Contains(m[2], "Unused variable") || strings.Contains(m[2], "will always return") {
			warnLines = append(warnLines, n)
		} else {
			errLines = append(errLines, n)
		}
	}
	sort.Ints(errLines)
	sort.Ints(warnLines)
	ce.lines = append(errLines, warnLines...)
	return nil, ce
}

// clear deletes every document of project (retried: Google's emulator
// now and then answers a transient error).
func (tg *target) clear(project string) error {
	if err := emuclient.ClearDocuments(context.Background(), tg.addr, project); err != nil {
		return fmt.Errorf("%s: clear %s: %w", tg.name, project, err)
	}
	return nil
}

// seed makes project hold exactly docs, written as the emulator owner
// (which bypasses rules).
func (tg *target) seed(ctx context.Context, project string, docs []storedDoc) error {
	if err := tg.clear(project); err != nil {
		return err
	}
	if len(docs) == 0 {
		return nil
	}
	c, err := tg.client(project)
	if err != nil {
		return err
	}
	b := c.Batch()
	for _, d := range docs {
		b.Set(c.Doc(d.path), materialize(c, d.data, false).(map[string]any))
	}
	if _, err := b.Commit(withToken(ctx, "owner")); err != nil {
		return fmt.Errorf("%s: seed as owner: %w", tg.name, err)
	}
	return nil
}

// caller is who makes a request: nil is unauthenticated.
type caller struct {
	uid    string
	claims map[string]any
}

// token is c's unsigned emulator ID token ("" for nobody); both
// emulators accept it and expose its claims as request.auth.token.
func (c *caller) token(project string) string {
	if c == nil {
		return ""
	}
	claims := make(map[string]any, len(c.claims))
	for k, v := range c.claims {
		claims[k] = plainJSON(v)
	}
	return emuclient.IDToken(project, c.uid, claims)
}
