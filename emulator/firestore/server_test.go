package firestore

import (
	"context"
	"os"
	"testing"

	"cloud.google.com/go/firestore"

	"github.com/roomgate/roomgate/emulator/emutest/emuclient"
)

const testProject = "demo-test"

// unsignedJWT is an unsigned emulator ID token for uid in testProject,
// as @firebase/rules-unit-testing and the Auth emulator make them.
func unsignedJWT(uid string, claims map[string]any) string {
	return emuclient.IDToken(testProject, uid, claims)
}

// targetEnv names another emulator (host:port, e.g. Google's) that the
// client-driven tests of this file set talk to instead of the in-process
// server, to settle fidelity questions:
//
//	ROOMGATE_TEST_FIRESTORE=127.0.0.1:8080 go test -run 'CRUD|Transform' ./emulator/firestore
//
// Tests that look inside the server skip those checks in that mode; tests
// that load rules must use loadRules.
const targetEnv = "ROOMGATE_TEST_FIRESTORE"

func external() bool { return os.Getenv(targetEnv) != "" }

// addrOf returns where clients of the test connect.
func addrOf(srv *Server) string {
	if a := os.Getenv(targetEnv); a != "" {
		return a
	}
	return srv.Addr()
}

// newTestServer starts an emulator on a loopback port for the test (and
// clears the external target's data when one is set).
func newTestServer(t testing.TB) *Server {
	t.Helper()
	srv, err := NewServer("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.SetLogger(t.Logf)
	t.Cleanup(func() { srv.Close() })
	if external() {
		clearTarget(t, srv)
		t.Cleanup(func() { clearTarget(t, srv) })
	}
	return srv
}

// clearTarget empties the external target's documents and replaces the
// rules an earlier test loaded for testProject with open ones: rules
// cannot be unloaded through REST, and a fresh project on either emulator
// (no rules) allows every request, as the open rules do.
func clearTarget(t testing.TB, srv *Server) {
	clearDocuments(t, srv)
	loadRules(t, srv, openRules)
}

// clearDocuments deletes testProject's documents through the REST
// endpoint, so it works against any target (retried, since Google's
// emulator sometimes fails a clear while listeners are being torn down).
func clearDocuments(t testing.TB, srv *Server) {
	t.Helper()
	if err := emuclient.ClearDocuments(context.Background(), addrOf(srv), testProject); err != nil {
		t.Fatalf("clearing documents: %v", err)
	}
}

// openRules allow everything, like an emulator project without rules.
const openRules = "rules_version = '2';\nservice cloud.firestore {\n  match /databases/{db}/documents {\n    match /{d=**} { allow read, write: if true; }\n  }\n}"

// loadRules installs rules for testProject through the REST endpoint, so
// it works against any target.
func loadRules(t testing.TB, srv *Server, src string) {
	t.Helper()
	if err := emuclient.LoadRules(context.Background(), addrOf(srv), testProject, src); err != nil {
		t.Fatalf("loading rules: %v", err)
	}
}

// dial returns a real Go Firestore client talking to srv with the given
// bearer token ("owner" for admin, "" for unauthenticated).
func dial(t testing.TB, srv *Server, token string) *firestore.Client {
	t.Helper()
	return emuclient.UserClient(t, addrOf(srv), testProject, token)
}

// adminClient is a client with rules bypassed, as the Admin SDK is.
func adminClient(t testing.TB, srv *Server) *firestore.Client {
	return dial(t, srv, emuclient.OwnerToken)
}

// userClient is a client acting as uid under the rules.
func userClient(t testing.TB, srv *Server, uid string, claims map[string]any) *firestore.Client {
	return dial(t, srv, unsignedJWT(uid, claims))
}
