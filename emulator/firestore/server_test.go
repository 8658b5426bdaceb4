package firestore

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

const testProject = "demo-test"

// bearer is per-RPC credentials sending a fixed Authorization header, as
// the Go client does against Google's emulator ("Bearer owner") or as a
// user's SDK does with an ID token.
type bearer string

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	if b == "" {
		return nil, nil
	}
	return map[string]string{"authorization": "Bearer " + string(b)}, nil
}
func (bearer) RequireTransportSecurity() bool { return false }

// rawCreds is bearer plus the google-cloud-resource-prefix header every
// Firestore SDK sends. Google's emulator needs it on the Listen and Write
// streams (it routes a stream before reading its first message: without
// the header the stream fails with UNKNOWN, "could not infer db from
// headers"); ours reads the database from the first message instead.
type rawCreds string

func (r rawCreds) GetRequestMetadata(ctx context.Context, uri ...string) (map[string]string, error) {
	md, _ := bearer(r).GetRequestMetadata(ctx, uri...)
	if md == nil {
		md = map[string]string{}
	}
	md["google-cloud-resource-prefix"] = testDB
	return md, nil
}
func (rawCreds) RequireTransportSecurity() bool { return false }

// unsignedJWT mints a token shaped like @firebase/rules-unit-testing's
// mock tokens: alg none, empty signature, expired in 1970.
func unsignedJWT(uid string, claims map[string]any) string {
	h, _ := json.Marshal(map[string]any{"alg": "none", "type": "JWT"})
	p := map[string]any{
		"iss": "https://securetoken.google.com/" + testProject, "aud": testProject,
		"iat": 0, "exp": 3600, "auth_time": 0, "sub": uid, "user_id": uid,
		"firebase": map[string]any{"sign_in_provider": "custom", "identities": map[string]any{}},
	}
	for k, v := range claims {
		p[k] = v
	}
	pb, _ := json.Marshal(p)
	enc := base64.RawURLEncoding
	return enc.EncodeToString(h) + "." + enc.EncodeToString(pb) + "."
}

// targetEnv names another emulator (host:port, e.g. Google's) that the
// client-driven tests of this file set talk to instead of the in-process
// server, to settle fidelity questions (STYLE.md habit 15):
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
// endpoint, so it works against any target.
// Google's emulator sometimes fails a clear while listeners are being
// torn down (HTTP 499/500), so a failed clear is retried a few times.
func clearDocuments(t testing.TB, srv *Server) {
	t.Helper()
	code := 0
	for attempt := range 5 {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 100 * time.Millisecond)
		}
		req, _ := http.NewRequest("DELETE", "http://"+addrOf(srv)+"/emulator/v1/projects/"+testProject+"/databases/(default)/documents", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if code = resp.StatusCode; code == 200 {
			return
		}
	}
	t.Fatalf("clearing documents: HTTP %d", code)
}

// openRules allow everything, like an emulator project without rules.
const openRules = "rules_version = '2';\nservice cloud.firestore {\n  match /databases/{db}/documents {\n    match /{d=**} { allow read, write: if true; }\n  }\n}"

// loadRules installs rules for testProject through the REST endpoint, so
// it works against any target.
func loadRules(t testing.TB, srv *Server, src string) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"rules": map[string]any{"files": []any{map[string]any{"content": src}}}})
	req, _ := http.NewRequest("PUT", "http://"+addrOf(srv)+"/emulator/v1/projects/"+testProject+":securityRules", strings.NewReader(string(b)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("loading rules: HTTP %d", resp.StatusCode)
	}
}

// dial returns a real Go Firestore client talking to srv with the given
// bearer token ("owner" for admin, "" for unauthenticated).
func dial(t testing.TB, srv *Server, token string) *firestore.Client {
	t.Helper()
	conn, err := grpc.NewClient(addrOf(srv),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(bearer(token)))
	if err != nil {
		t.Fatal(err)
	}
	c, err := firestore.NewClient(context.Background(), testProject, option.WithGRPCConn(conn))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); conn.Close() })
	return c
}

// adminClient is a client with rules bypassed, as the Admin SDK is.
func adminClient(t testing.TB, srv *Server) *firestore.Client { return dial(t, srv, "owner") }

// userClient is a client acting as uid under the rules.
func userClient(t testing.TB, srv *Server, uid string, claims map[string]any) *firestore.Client {
	return dial(t, srv, unsignedJWT(uid, claims))
}
