package loopback

import (
	"net/http/httptest"
	"testing"
)

func TestAllowedOrigin(t *testing.T) {
	for origin, want := range map[string]bool{
		"":                          true,
		"http://localhost:3000":     true,
		"https://localhost":         true,
		"http://app.localhost:5173": true,
		"http://127.0.0.1:4000":     true,
		"http://127.9.9.9":          true,
		"http://[::1]:8080":         true,
		"https://evil.example":      false,
		"http://localhost.evil.com": false,
		"http://192.168.1.10:3000":  false,
		"null":                      false,
		"file://":                   false,
		"chrome-extension://abc":    false,
		"http://127.0.0.1.nip.io":   false,
		"http://0x7f000001":         false,
		"not a url at all %zz":      false,
	} {
		if got := AllowedOrigin(origin); got != want {
			t.Errorf("AllowedOrigin(%q) = %v, want %v", origin, got, want)
		}
	}
}

func TestCheckAdmin(t *testing.T) {
	cases := []struct {
		name, method, origin, ctype string
		want                        int // 0: allowed
	}{
		{"CLI POST with JSON", "POST", "", "application/json", 0},
		{"local page POST with JSON", "POST", "http://localhost:4000", "application/json; charset=utf-8", 0},
		{"cross-site simple POST", "POST", "https://evil.example", "text/plain", 403},
		{"cross-site JSON POST", "POST", "https://evil.example", "application/json", 403},
		{"simple POST without an Origin", "POST", "", "text/plain", 415},
		{"form POST from a local page", "POST", "http://localhost:4000", "application/x-www-form-urlencoded", 415},
		{"cross-site DELETE", "DELETE", "http://192.168.0.5", "", 403},
		{"PUT without Content-Type (rules-unit-testing)", "PUT", "", "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(c.method, "/emulator/v1/projects/p:export", nil)
			if c.origin != "" {
				r.Header.Set("Origin", c.origin)
			}
			if c.ctype != "" {
				r.Header.Set("Content-Type", c.ctype)
			}
			w := httptest.NewRecorder()
			ok := CheckAdmin(w, r)
			if c.want == 0 {
				if !ok {
					t.Fatalf("refused: %d %s", w.Code, w.Body)
				}
				return
			}
			if ok || w.Code != c.want {
				t.Fatalf("ok=%v code=%d, want refusal %d", ok, w.Code, c.want)
			}
			if w.Header().Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("a refusal must not grant CORS")
			}
		})
	}
}
