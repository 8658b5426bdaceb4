package firestore

import (
	"context"
	"encoding/json"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestRulesWarnings loads rules that Google's compiler accepts with
// warnings: the PUT answers 200 with the warnings as issues of severity
// WARNING (positions and texts as Google's emulator gives them, checked
// against it with ROOMGATE_TEST_FIRESTORE), and the warned-about allow
// statements grant nothing.
func TestRulesWarnings(t *testing.T) {
	srv := newTestServer(t)
	base := "http://" + addrOf(srv)
	src := "rules_version = '2';\n" +
		"service cloud.firestore {\n" +
		"  match /databases/{database}/documents {\n" +
		"    match /w/{d} {\n" +
		"      allow get: if foo == 1;\n" +
		"      allow nope: if true;\n" +
		"      allow list: if 1 == 'a';\n" +
		"    }\n" +
		"  }\n" +
		"}\n"
	code, body := httpDo(t, "PUT", base+"/emulator/v1/projects/"+testProject+":securityRules", rulesBody(src))
	var resp struct {
		Issues []struct {
			SourcePosition struct {
				Line, Column, CurrentOffset int
			} `json:"sourcePosition"`
			Description string `json:"description"`
			Severity    string `json:"severity"`
		} `json:"issues"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &resp) != nil {
		t.Fatalf("PUT rules with warnings: %d %s", code, body)
	}
	type issue struct {
		line, col, offset int
		text              string
	}
	want := []issue{
		{5, 21, 128, "Invalid variable name: foo."},
		{6, 13, 150, "Invalid method name: nope."},
		{7, 24, 188, "The sub-expressions are not comparable, so this comparison will always return false."},
	}
	if len(resp.Issues) != len(want) {
		t.Fatalf("issues: %s", body)
	}
	for i, is := range resp.Issues {
		got := issue{is.SourcePosition.Line, is.SourcePosition.Column, is.SourcePosition.CurrentOffset, is.Description}
		if got != want[i] || is.Severity != "WARNING" {
			t.Errorf("issue %d: %+v %s, want %+v WARNING", i, got, is.Severity, want[i])
		}
	}
	ctx := context.Background()
	u := userClient(t, srv, "alice", nil)
	if _, err := u.Doc("w/a").Get(ctx); status.Code(err) != codes.PermissionDenied {
		t.Errorf("get under a warned condition: %v", err)
	}
	if _, err := u.Doc("w/a").Set(ctx, map[string]any{"v": 1}); status.Code(err) != codes.PermissionDenied {
		t.Errorf("write under an unknown method: %v", err)
	}
	if _, err := u.Collection("w").Documents(ctx).GetAll(); status.Code(err) != codes.PermissionDenied {
		t.Errorf("list under an always-false comparison: %v", err)
	}
}
