package auth_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	fbauth "firebase.google.com/go/v4/auth"

	"github.com/roomgate/roomgate/emulator/auth"
	"github.com/roomgate/roomgate/emulator/emutest/emuclient"
)

const projectID = "demo-roomgate"

// startEmulator starts an Auth emulator on a free loopback port whose
// default project (for ?key= client calls) is projectID.
func startEmulator(t testing.TB) *auth.Server {
	t.Helper()
	srv, err := auth.NewServer("127.0.0.1:0")
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	srv.SetLogger(t.Logf)
	srv.SetDefaultProject(projectID)
	return srv
}

// adminClient returns the real Firebase Admin SDK auth client pointed at srv
// through FIREBASE_AUTH_EMULATOR_HOST.
func adminClient(t *testing.T, srv *auth.Server) *fbauth.Client {
	t.Helper()
	return emuclient.AdminAuth(t, srv.Addr(), projectID)
}

// rest is the answer of a raw REST call.
type rest struct {
	Status int
	Body   map[string]any
	Raw    string
	Header http.Header
}

// errorMessage is error.message of an error answer.
func (r rest) errorMessage() string {
	e, _ := r.Body["error"].(map[string]any)
	m, _ := e["message"].(string)
	return m
}

func (r rest) str(key string) string {
	s, _ := r.Body[key].(string)
	return s
}

// call sends a request the way the JS SDK does (client calls add ?key=).
func call(t testing.TB, srv *auth.Server, method, path string, headers map[string]string, body string) rest {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, "http://"+srv.Addr()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := rest{Status: resp.StatusCode, Raw: string(raw), Header: resp.Header}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out.Body); err != nil {
			t.Fatalf("%s %s: response is not a JSON object: %v: %s", method, path, err, raw)
		}
	}
	return out
}

// client posts a JSON body to /identitytoolkit.googleapis.com/v1/accounts:<op>?key=fake.
func client(t testing.TB, srv *auth.Server, op string, body any) rest {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return call(t, srv, http.MethodPost, "/identitytoolkit.googleapis.com/v1/accounts:"+op+"?key=fake", nil, string(b))
}

// mustOK fails unless r is a 200.
func mustOK(t testing.TB, r rest) rest {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", r.Status, r.Raw)
	}
	return r
}

// wantError fails unless r is an error answer with the given status whose
// message is code or starts with "code : ".
func wantError(t testing.TB, r rest, status int, code string) {
	t.Helper()
	msg := r.errorMessage()
	if r.Status != status || (msg != code && !strings.HasPrefix(msg, code+" : ")) {
		t.Fatalf("got %d %q, want %d %q: %s", r.Status, msg, status, code, r.Raw)
	}
	e := r.Body["error"].(map[string]any)
	if int(e["code"].(float64)) != status {
		t.Fatalf("error.code = %v, want %d", e["code"], status)
	}
	if errs, _ := e["errors"].([]any); len(errs) == 0 {
		t.Fatalf("error.errors is empty: %s", r.Raw)
	}
}

// signUpPassword creates a password user as a client and returns the response.
func signUpPassword(t testing.TB, srv *auth.Server, email, password string) rest {
	t.Helper()
	return mustOK(t, client(t, srv, "signUp", map[string]any{
		"email": email, "password": password, "returnSecureToken": true,
	}))
}

// decodeToken splits an ID token into its header and payload objects and
// checks it is unsigned ("h.p.").
func decodeToken(t testing.TB, tok string) (header, payload map[string]any, payloadJSON string) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || parts[2] != "" {
		t.Fatalf("token %q is not of the form h.p.", tok)
	}
	dec := func(s string, dst *map[string]any) string {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("segment is not raw base64url: %v", err)
		}
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		if err := d.Decode(dst); err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	dec(parts[0], &header)
	payloadJSON = dec(parts[1], &payload)
	return header, payload, payloadJSON
}

// waitNextSecond sleeps until the wall clock enters a new second, so that a
// token issued before and a validSince set after differ (both are seconds).
func waitNextSecond() {
	now := time.Now()
	time.Sleep(now.Truncate(time.Second).Add(time.Second + 10*time.Millisecond).Sub(now))
}
