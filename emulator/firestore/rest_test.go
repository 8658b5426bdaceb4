package firestore

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func httpDo(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	// Like rules-unit-testing: no Content-Type, no auth.
	return httpDoWith(t, method, url, body, nil)
}

// httpDoWith is httpDo with request headers; the Firebase CLI's export
// sends Content-Type: application/json.
func httpDoWith(t *testing.T, method, url, body string, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.ProtoMajor != 1 {
		t.Errorf("REST answered over HTTP/%d", resp.ProtoMajor)
	}
	return resp.StatusCode, string(b)
}

var jsonHeader = map[string]string{"Content-Type": "application/json"}

func rulesBody(src string) string {
	b, _ := json.Marshal(map[string]any{"rules": map[string]any{"files": []any{map[string]any{"content": src}}}})
	return string(b)
}

func TestRESTOnTheGRPCPort(t *testing.T) {
	srv := newTestServer(t)
	base := "http://" + addrOf(srv)
	ctx := context.Background()

	if code, body := httpDo(t, "GET", base+"/", ""); code != 200 || !strings.HasPrefix(body, "Ok") {
		t.Errorf("GET / = %d %q", code, body)
	}
	// Invalid rules: 400 with positioned issues; the old rules stay.
	// Both emulators: 400, INVALID_ARGUMENT, "Error compiling rules:" and
	// an "L<line>:<col> <description>" line. Ours adds positioned issues
	// (as with ignore_errors) and caret snippets.
	code, body := httpDo(t, "PUT", base+"/emulator/v1/projects/"+testProject+":securityRules", rulesBody("service cloud.firestore {\n  match /x { allow read: if ( }\n}"))
	var bad struct {
		Error struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
			Status  string `json:"status"`
		} `json:"error"`
		Issues []struct {
			SourcePosition struct{ Line, Column int } `json:"sourcePosition"`
			Severity       string                     `json:"severity"`
		} `json:"issues"`
	}
	if code != 400 || json.Unmarshal([]byte(body), &bad) != nil || bad.Error.Code != 400 || bad.Error.Status != "INVALID_ARGUMENT" ||
		!strings.HasPrefix(bad.Error.Message, "Error compiling rules:\nL2:") {
		t.Errorf("bad rules: %d %s", code, body)
	}
	if !external() && (len(bad.Issues) == 0 || bad.Issues[0].SourcePosition.Line != 2 || bad.Issues[0].Severity != "ERROR" || !strings.Contains(bad.Error.Message, "^")) {
		t.Errorf("bad rules, our details: %s", body)
	}
	// Valid rules for this project only.
	deny := "rules_version = '2';\nservice cloud.firestore {\n  match /databases/{db}/documents {\n    match /open/{d} { allow read, write: if true; }\n    match /closed/{d} { allow read: if false; }\n  }\n}"
	if code, body := httpDo(t, "PUT", base+"/emulator/v1/projects/"+testProject+":securityRules", rulesBody(deny)); code != 200 {
		t.Fatalf("good rules: %d %s", code, body)
	}
	u := userClient(t, srv, "alice", nil)
	if _, err := u.Doc("open/a").Set(ctx, map[string]any{"v": 1}); err != nil {
		t.Errorf("allowed write: %v", err)
	}
	if _, err := u.Doc("closed/a").Get(ctx); status.Code(err) != codes.PermissionDenied {
		t.Errorf("closed read: %v", err)
	}
	// gRPC still works on the same port after REST traffic (it did above).

	// Coverage: JSON and HTML, the never-exercised write rule flagged.
	// The format is undocumented and differs: Google's emulator echoes
	// the rules ({"rules":{"files":[{content}]}}) with a per-expression
	// "report"; ours lists one row per allow statement. Only ours is
	// checked in detail.
	code, body = httpDo(t, "GET", base+"/emulator/v1/projects/"+testProject+":ruleCoverage", "")
	if external() {
		var g struct {
			Rules struct {
				Files []struct{ Content string } `json:"files"`
			} `json:"rules"`
		}
		if code != 200 || json.Unmarshal([]byte(body), &g) != nil || len(g.Rules.Files) != 1 || g.Rules.Files[0].Content != deny {
			t.Errorf("coverage: %d %s", code, body)
		}
	} else {
		var cov struct {
			Rules []coverageRow `json:"rules"`
		}
		if code != 200 || json.Unmarshal([]byte(body), &cov) != nil || len(cov.Rules) != 2 {
			t.Fatalf("coverage: %d %s", code, body)
		}
		if cov.Rules[0].True != 1 || cov.Rules[1].False != 1 || !cov.Rules[1].Exercised {
			t.Errorf("coverage rows: %+v", cov.Rules)
		}
	}
	code, body = httpDo(t, "GET", base+"/emulator/v1/projects/"+testProject+":ruleCoverage.html", "")
	if code != 200 || !strings.Contains(strings.ToLower(body), "<!doctype html>") || !external() && (!strings.Contains(body, "<table>") || !strings.Contains(body, "2 of 2")) {
		t.Errorf("coverage html: %d %s", code, body)
	}

	// Export, clear, import.
	dir := t.TempDir()
	code, body = httpDoWith(t, "POST", base+"/emulator/v1/projects/"+testProject+":export", `{"database":"`+testDB+`","export_directory":"`+dir+`","export_name":"firestore_export"}`, jsonHeader)
	if code != 200 {
		t.Fatalf("export: %d %s", code, body)
	}
	// Ours writes its JSON file; Google's emulator a managed export
	// (LevelDB files), not interchangeable.
	if external() {
		if ents, err := os.ReadDir(filepath.Join(dir, "firestore_export")); err != nil || len(ents) == 0 {
			t.Errorf("export wrote nothing: %v", err)
		}
	} else if _, err := os.Stat(filepath.Join(dir, "firestore_export", exportFile)); err != nil {
		t.Fatal(err)
	}
	admin := adminClient(t, srv)
	before, _ := admin.Doc("open/a").Get(ctx)
	if code, _ := httpDo(t, "DELETE", base+"/emulator/v1/projects/"+testProject+"/databases/(default)/documents", ""); code != 200 {
		t.Errorf("clear: %d", code)
	}
	if _, err := admin.Doc("open/a").Get(ctx); status.Code(err) != codes.NotFound {
		t.Errorf("after clear: %v", err)
	}
	if external() {
		return // the rest reads the in-process server's export
	}
	if err := srv.ImportDocuments(dir); err != nil {
		t.Fatal(err)
	}
	after, err := admin.Doc("open/a").Get(ctx)
	if err != nil || after.Data()["v"] != int64(1) || !after.UpdateTime.Equal(before.UpdateTime) || !after.CreateTime.Equal(before.CreateTime) {
		t.Errorf("after import: %v %v (times %v/%v)", after, err, after.UpdateTime, before.UpdateTime)
	}
	// New writes still get later times than imported ones.
	wr, _ := admin.Doc("open/a").Set(ctx, map[string]any{"v": 2})
	if !wr.UpdateTime.After(before.UpdateTime) {
		t.Errorf("write after import not later")
	}

	if code, _ := httpDo(t, "GET", base+"/nope", ""); code != 404 {
		t.Errorf("unknown path: %d", code)
	}
	if code, _ := httpDoWith(t, "POST", base+"/emulator/v1/projects/"+testProject+":export", `{"export_directory":"relative"}`, jsonHeader); code != 400 {
		t.Errorf("relative export dir: %d", code)
	}
}

func TestRulesArePerProject(t *testing.T) {
	srv := newTestServer(t)
	base := "http://" + addrOf(srv)
	closed := "rules_version = '2';\nservice cloud.firestore {\n  match /databases/{db}/documents {\n    match /{d=**} { allow read, write: if false; }\n  }\n}"
	if code, body := httpDo(t, "PUT", base+"/emulator/v1/projects/other-project:securityRules", rulesBody(closed)); code != 200 {
		t.Fatal(code, body)
	}
	// demo-test has no rules: allowed (with the warning).
	if _, err := userClient(t, srv, "a", nil).Doc("x/y").Set(context.Background(), map[string]any{}); err != nil {
		t.Errorf("project without rules: %v", err)
	}
}

// TestAdminEndpointsRefuseOtherSites: a web page elsewhere must not be able
// to drive the emulator through a developer's browser. A cross-site
// "simple" POST (no preflight) to :export would write files anywhere; it
// is refused for its content type, and any request carrying a foreign
// Origin is refused outright. Google's emulator does not do this (it
// answers such requests), so the test runs on ours only.
func TestAdminEndpointsRefuseOtherSites(t *testing.T) {
	if external() {
		t.Skip("roomgate's hardening; Google's emulator accepts these requests")
	}
	srv := newTestServer(t)
	base := "http://" + addrOf(srv)
	dir := t.TempDir()
	export := base + "/emulator/v1/projects/" + testProject + ":export"
	body := `{"database":"` + testDB + `","export_directory":"` + dir + `","export_name":"x"}`
	for _, c := range []struct {
		name   string
		method string
		url    string
		body   string
		header map[string]string
		want   int
	}{
		{"cross-site simple POST to export", "POST", export, body, map[string]string{"Content-Type": "text/plain", "Origin": "https://evil.example"}, 403},
		{"simple POST to export without Origin", "POST", export, body, map[string]string{"Content-Type": "text/plain"}, 415},
		{"cross-site JSON POST to export", "POST", export, body, map[string]string{"Content-Type": "application/json", "Origin": "http://10.0.0.8:3000"}, 403},
		{"cross-site clear", "DELETE", base + "/emulator/v1/projects/" + testProject + "/databases/(default)/documents", "", map[string]string{"Origin": "https://evil.example"}, 403},
		{"cross-site rules load", "PUT", base + "/emulator/v1/projects/" + testProject + ":securityRules", rulesBody("rules_version = '2';"), map[string]string{"Origin": "null"}, 403},
		{"cross-site coverage read", "GET", base + "/emulator/v1/projects/" + testProject + ":ruleCoverage", "", map[string]string{"Origin": "https://evil.example"}, 403},
	} {
		if code, got := httpDoWith(t, c.method, c.url, c.body, c.header); code != c.want {
			t.Errorf("%s: %d %s, want %d", c.name, code, got, c.want)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("a refused export wrote %d entries", len(ents))
	}
	// A page served from this machine may, as the CLI may.
	if code, got := httpDoWith(t, "POST", export, body, map[string]string{"Content-Type": "application/json", "Origin": "http://localhost:4000"}); code != 200 {
		t.Errorf("local page export: %d %s", code, got)
	}
}
