// Package loopback decides whether a browser request may reach an
// emulator's admin endpoints (load rules, clear data, export): only pages
// served from this machine may, so that a web page from anywhere else
// cannot drive a developer's emulator through their browser.
package loopback

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// AllowedOrigin reports whether a request with this Origin header may use
// an admin endpoint: no Origin (not a browser, or a same-origin GET) or an
// http(s) origin whose host is localhost, a *.localhost name, or a
// loopback IP. "null" (sandboxed frames, file: pages) is refused.
func AllowedOrigin(origin string) bool {
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false
	}
	host := strings.ToLower(u.Hostname())
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CheckAdmin answers 403 and reports false when r comes from a page that
// is not on this machine (see AllowedOrigin), or when it is a POST whose
// Content-Type is not JSON: a browser sends a cross-site POST with a
// "simple" content type without asking first, so demanding JSON forces a
// preflight that an admin endpoint never grants to another site.
func CheckAdmin(w http.ResponseWriter, r *http.Request) bool {
	if !AllowedOrigin(r.Header.Get("Origin")) {
		deny(w, http.StatusForbidden, "PERMISSION_DENIED", "emulator admin endpoints accept requests only from pages on this machine (Origin "+r.Header.Get("Origin")+" refused)")
		return false
	}
	if r.Method == http.MethodPost && !isJSON(r.Header.Get("Content-Type")) {
		deny(w, http.StatusUnsupportedMediaType, "INVALID_ARGUMENT", "send Content-Type: application/json")
		return false
	}
	return true
}

func isJSON(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/json")
}

// deny writes Google's JSON error shape.
func deny(w http.ResponseWriter, code int, status, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": msg, "status": status}})
}
