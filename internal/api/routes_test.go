package api

import (
	"strings"
	"testing"
)

// TestProbesAndMethods: load balancers probe with HEAD; a wrong method on
// a known /v1 path is 405 with Allow (before authentication, so with or
// without a token), and an unknown path is 404.
func TestProbesAndMethods(t *testing.T) {
	h := newHarness(t, nil)
	cases := []struct {
		name, method, path, token string
		status                    int
		allow                     string // Allow must contain these methods
	}{
		{"HEAD /healthz is 200", "HEAD", "/healthz", "", 200, ""},
		{"HEAD /readyz is 200", "HEAD", "/readyz", "", 200, ""},
		{"POST /healthz is 405", "POST", "/healthz", "", 405, "GET"},
		{"PUT on a room is 405 without a token", "PUT", "/v1/rooms/" + roomA, "", 405, "DELETE"},
		{"PUT on a room is 405 with a token", "PUT", "/v1/rooms/" + roomA, "tok-alice", 405, "GET"},
		{"GET on admit is 405", "GET", "/v1/me/claims", "tok-alice", 405, "POST"},
		{"PATCH on a ban is 405", "PATCH", "/v1/admin/users/bob/ban", "tok-admin", 405, "POST"},
		{"unknown /v1 path is 404", "GET", "/v1/nothing", "tok-alice", 404, ""},
		{"a known route still needs a token", "GET", "/v1/rooms", "", 401, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := h.do(c.method, c.path, c.token, "", nil, "")
			if rec.Code != c.status {
				t.Fatalf("%s %s = %d %s, want %d", c.method, c.path, rec.Code, rec.Body, c.status)
			}
			if c.method == "HEAD" && rec.Body.Len() != 0 && rec.Result().ContentLength > 0 {
				t.Errorf("HEAD answered with a body")
			}
			if c.allow != "" && !strings.Contains(rec.Header().Get("Allow"), c.allow) {
				t.Errorf("Allow = %q, want it to list %s", rec.Header().Get("Allow"), c.allow)
			}
			if c.status >= 400 && !strings.Contains(rec.Header().Get("Content-Type"), "problem+json") {
				t.Errorf("Content-Type = %q, want problem+json", rec.Header().Get("Content-Type"))
			}
		})
	}
	if n := len(h.rooms.calls); n != 0 {
		t.Errorf("room service called %d times: %v", n, h.rooms.calls)
	}
}

// TestSeparateMetricsLeavesTheMainHandler: with metrics on their own
// listener the public handler does not expose them.
func TestSeparateMetricsLeavesTheMainHandler(t *testing.T) {
	h := newHarness(t, func(d *Deps) { d.SeparateMetrics = true })
	if rec := h.do("GET", "/metrics", "", "", nil, ""); rec.Code != 404 {
		t.Fatalf("GET /metrics = %d, want 404", rec.Code)
	}
	h = newHarness(t, nil)
	if rec := h.do("GET", "/metrics", "", "", nil, ""); rec.Code != 200 {
		t.Fatalf("GET /metrics (default) = %d, want 200", rec.Code)
	}
}
