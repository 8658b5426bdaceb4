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
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	// Like rules-unit-testing: no Content-Type, no auth.
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
	code, body = httpDo(t, "POST", base+"/emulator/v1/projects/"+testProject+":export", `{"database":"`+testDB+`","export_directory":"`+dir+`","export_name":"firestore_export"}`)
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
	if code, _ := httpDo(t, "POST", base+"/emulator/v1/projects/"+testProject+":export", `{"export_directory":"relative"}`); code != 400 {
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
