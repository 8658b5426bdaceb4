package auth_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestAdminEndpointsRefuseOtherSites: the emulator's own endpoints (clear
// every account, change the config) answer only tools and pages on this
// machine, so a web page elsewhere cannot wipe a developer's emulator
// through their browser; the Identity Toolkit API stays open to any origin
// (web apps under development sign in from wherever they are served).
func TestAdminEndpointsRefuseOtherSites(t *testing.T) {
	srv := startEmulator(t)
	base := "http://" + srv.Addr()
	accounts := base + "/emulator/v1/projects/" + projectID + "/accounts"
	do := func(method, url, origin, body string, hdr ...string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(method, url, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	signUp := base + "/identitytoolkit.googleapis.com/v1/accounts:signUp?key=fake"
	if r := do("POST", signUp, "", `{"email":"a@example.com","password":"secret1"}`, "Content-Type", "application/json"); r.StatusCode != 200 {
		t.Fatalf("sign-up: %d", r.StatusCode)
	}
	if r := do("OPTIONS", accounts, "https://evil.example", "", "Access-Control-Request-Method", "DELETE"); r.StatusCode != 403 || r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("cross-site preflight of clear: %d, allow-origin %q", r.StatusCode, r.Header.Get("Access-Control-Allow-Origin"))
	}
	if r := do("DELETE", accounts, "https://evil.example", ""); r.StatusCode != 403 {
		t.Errorf("cross-site clear: %d", r.StatusCode)
	}
	// The account is still there: sign-in works.
	signIn := base + "/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=fake"
	if r := do("POST", signIn, "https://app.example", `{"email":"a@example.com","password":"secret1"}`, "Content-Type", "application/json"); r.StatusCode != 200 || r.Header.Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Errorf("sign-in from a web app: %d, allow-origin %q", r.StatusCode, r.Header.Get("Access-Control-Allow-Origin"))
	}
	if r := do("OPTIONS", accounts, "http://localhost:4000", "", "Access-Control-Request-Method", "DELETE"); r.StatusCode != 204 {
		t.Errorf("local preflight: %d", r.StatusCode)
	}
	if r := do("DELETE", accounts, "http://localhost:4000", ""); r.StatusCode != 200 {
		t.Errorf("local clear: %d", r.StatusCode)
	}
}
