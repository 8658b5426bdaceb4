package push

import (
	"context"
	"strings"
	"testing"
)

// TestDeviceRegistration covers the edge: validation, the per-user cap,
// admission, idempotent deletes.
func TestDeviceRegistration(t *testing.T) {
	s := newSuite(t)
	s.admit("alice")
	s.user("newbie") // signed in, not admitted
	const tok = "fcm-token-x:APA91bXXXXXXXXXXXXXXXXXXXXXXXXXX"
	cases := []struct {
		name, method, path, uid, body string
		want                          int
		code                          string
	}{
		{"no token", "PUT", "/v1/me/devices/p1", "", `{"token":"` + tok + `"}`, 401, "missing_token"},
		{"not admitted", "PUT", "/v1/me/devices/p1", "newbie", `{"token":"` + tok + `"}`, 403, "not_admitted"},
		{"short token", "PUT", "/v1/me/devices/p1", "alice", `{"token":"abc"}`, 400, "invalid_field"},
		{"token with spaces", "PUT", "/v1/me/devices/p1", "alice", `{"token":"` + strings.Repeat("a ", 20) + `"}`, 400, "invalid_field"},
		{"huge token", "PUT", "/v1/me/devices/p1", "alice", `{"token":"` + strings.Repeat("a", 5000) + `"}`, 400, "invalid_field"},
		{"bad platform", "PUT", "/v1/me/devices/p1", "alice", `{"token":"` + tok + `","platform":"symbian"}`, 400, "invalid_field"},
		{"unknown field", "PUT", "/v1/me/devices/p1", "alice", `{"token":"` + tok + `","text":"x"}`, 400, ""},
		{"bad installation id", "PUT", "/v1/me/devices/a.b", "alice", `{"token":"` + tok + `"}`, 400, "invalid_field"},
		{"reserved installation id", "PUT", "/v1/me/devices/__x__", "alice", `{"token":"` + tok + `"}`, 400, "invalid_field"},
		{"missing body", "PUT", "/v1/me/devices/p1", "alice", ``, 400, ""},
		{"ok", "PUT", "/v1/me/devices/p1", "alice", `{"token":"` + tok + `","platform":"ios"}`, 204, ""},
		{"refresh", "PUT", "/v1/me/devices/p1", "alice", `{"token":"` + tok + `"}`, 204, ""},
		{"second", "PUT", "/v1/me/devices/p2", "alice", `{"token":"` + tok + `2"}`, 204, ""},
		{"third (cap 3)", "PUT", "/v1/me/devices/p3", "alice", `{"token":"` + tok + `3"}`, 204, ""},
		{"fourth refused", "PUT", "/v1/me/devices/p4", "alice", `{"token":"` + tok + `4"}`, 409, "device_cap_reached"},
		{"refresh at the cap", "PUT", "/v1/me/devices/p3", "alice", `{"token":"` + tok + `3"}`, 204, ""},
		{"delete", "DELETE", "/v1/me/devices/p3", "alice", ``, 204, ""},
		{"delete again", "DELETE", "/v1/me/devices/p3", "alice", ``, 204, ""},
		{"fourth now fits", "PUT", "/v1/me/devices/p4", "alice", `{"token":"` + tok + `4"}`, 204, ""},
	}
	for _, c := range cases {
		code, body := s.call(s.srv.URL, c.method, c.path, c.uid, c.body)
		if code != c.want || !strings.Contains(body, c.code) {
			t.Errorf("%s: %d %s, want %d %s", c.name, code, body, c.want, c.code)
		}
	}
	if ids := s.devices("alice"); strings.Join(ids, ",") != "p1,p2,p4" {
		t.Errorf("alice's devices = %v", ids)
	}
	// The token itself is never in a response.
	if _, body := s.call(s.srv.URL, "PUT", "/v1/me/devices/p1", "alice", `{"token":"`+tok+`"}`); strings.Contains(body, tok) {
		t.Error("the token was echoed")
	}
}

// TestSharedPhoneMovesToken: bob signs in on alice's phone; the token
// moves to him, so alice's pushes never show on a phone she left.
func TestSharedPhoneMovesToken(t *testing.T) {
	s := newSuite(t)
	s.admit("alice", "bob")
	const tok = "fcm-token-shared:APA91bSSSSSSSSSSSSSSSSSSSSSSSSSS"
	s.device("alice", "phone", tok)
	s.device("bob", "phone", tok)
	if ids := s.devices("alice"); len(ids) != 0 {
		t.Errorf("alice still has %v", ids)
	}
	if ids := s.devices("bob"); len(ids) != 1 {
		t.Errorf("bob has %v", ids)
	}
}

// TestBanDropsDevices: an admin's ban deletes the user's devices.
func TestBanDropsDevices(t *testing.T) {
	s := newSuite(t)
	s.admit("root", "mallory")
	if _, err := s.svc.Claims.SetRole(context.Background(), "test", "req-1", "root", "admin"); err != nil {
		t.Fatal(err)
	}
	s.signIn("root")
	s.device("mallory", "m1", "fcm-token-mallory:APA91bMMMMMMMMMMMMMMMMMMMMMMMMMM")
	s.must(200, "POST", "/v1/admin/users/mallory/ban", "root", "")
	if ids := s.devices("mallory"); len(ids) != 0 {
		t.Errorf("banned user's devices: %v", ids)
	}
}
