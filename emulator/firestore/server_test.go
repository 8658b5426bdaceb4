package firestore

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"testing"

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

// newTestServer starts an emulator on a loopback port for the test.
func newTestServer(t testing.TB) *Server {
	t.Helper()
	srv, err := NewServer("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.SetLogger(t.Logf)
	t.Cleanup(func() { srv.Close() })
	return srv
}

// dial returns a real Go Firestore client talking to srv with the given
// bearer token ("owner" for admin, "" for unauthenticated).
func dial(t testing.TB, srv *Server, token string) *firestore.Client {
	t.Helper()
	conn, err := grpc.NewClient(srv.Addr(),
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
