package api

import (
	"strings"
	"testing"
)

// TestCORS: a page from an allowed origin gets its preflight answered
// before authentication and can read the answers (errors included); any
// other origin gets no CORS headers; with no origins configured (serve's
// default) nothing is allowed.
func TestCORS(t *testing.T) {
	const app = "https://app.example.com"
	h := newHarness(t, func(d *Deps) { d.CORSOrigins = []string{app, "http://localhost:5173"} })
	preflight := map[string]string{"Origin": app, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type, idempotency-key"}

	rec := h.do("OPTIONS", "/v1/rooms", "", "", preflight, "")
	if rec.Code != 204 || rec.Header().Get("Access-Control-Allow-Origin") != app {
		t.Fatalf("preflight = %d, Allow-Origin %q", rec.Code, rec.Header().Get("Access-Control-Allow-Origin"))
	}
	for _, want := range []string{"Authorization", "Content-Type", "Idempotency-Key"} {
		if !strings.Contains(rec.Header().Get("Access-Control-Allow-Headers"), want) {
			t.Errorf("Allow-Headers %q lacks %s", rec.Header().Get("Access-Control-Allow-Headers"), want)
		}
	}
	if !strings.Contains(rec.Header().Get("Access-Control-Allow-Methods"), "DELETE") || rec.Header().Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("Allow-Methods %q, Allow-Credentials %q", rec.Header().Get("Access-Control-Allow-Methods"), rec.Header().Get("Access-Control-Allow-Credentials"))
	}
	if len(h.rooms.calls) != 0 {
		t.Errorf("a preflight reached the room service: %v", h.rooms.calls)
	}

	// The real request, and an error answer, carry the headers too.
	rec = h.do("POST", "/v1/rooms", "tok-alice", `{"members":["bob"],"kind":"group"}`, map[string]string{"Origin": app}, "")
	if rec.Code != 201 || rec.Header().Get("Access-Control-Allow-Origin") != app || !strings.Contains(rec.Header().Get("Access-Control-Expose-Headers"), "Location") {
		t.Fatalf("request = %d, Allow-Origin %q, Expose %q", rec.Code, rec.Header().Get("Access-Control-Allow-Origin"), rec.Header().Get("Access-Control-Expose-Headers"))
	}
	rec = h.do("GET", "/v1/rooms", "", "", map[string]string{"Origin": app}, "")
	if rec.Code != 401 || rec.Header().Get("Access-Control-Allow-Origin") != app {
		t.Fatalf("401 = %d, Allow-Origin %q", rec.Code, rec.Header().Get("Access-Control-Allow-Origin"))
	}

	// Other origins: no CORS headers, on preflight or request.
	for _, origin := range []string{"https://evil.example", "https://app.example.com.evil.example", "null", "http://localhost:5174"} {
		pf := map[string]string{"Origin": origin, "Access-Control-Request-Method": "POST"}
		if rec := h.do("OPTIONS", "/v1/rooms", "", "", pf, ""); rec.Header().Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("preflight from %s allowed", origin)
		}
		if rec := h.do("GET", "/v1/rooms", "tok-alice", "", map[string]string{"Origin": origin}, ""); rec.Header().Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("request from %s allowed", origin)
		}
	}

	h = newHarness(t, nil)
	if rec := h.do("OPTIONS", "/v1/rooms", "", "", preflight, ""); rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("default: preflight allowed")
	}
}
