package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/roomgate/roomgate/internal/claims"
)

var errPendingForTest = fmt.Errorf("%w: %w", claims.ErrChangePending, errors.New("auth unreachable"))

// TestDeleteMeRequiresARecentSignIn: DELETE /v1/me deletes the caller's
// account only when the token's auth_time lies within the window; an old
// sign-in, a token without auth_time and one from the future are refused
// with 403 reauthentication_required, before the claims service is asked.
func TestDeleteMeRequiresARecentSignIn(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	h := newHarness(t, func(d *Deps) {
		d.ReauthWindow = 5 * time.Minute
		d.Now = func() time.Time { return now }
	})
	cases := []struct {
		name     string
		authTime time.Time
		want     int
	}{
		{"signed in just now", now.Add(-10 * time.Second), http.StatusNoContent},
		{"at the window's edge", now.Add(-5 * time.Minute), http.StatusNoContent},
		{"stale sign-in", now.Add(-6 * time.Minute), http.StatusForbidden},
		{"no auth_time", time.Time{}, http.StatusForbidden},
		{"auth_time in the future", now.Add(10 * time.Minute), http.StatusForbidden},
	}
	for i, c := range cases {
		raw := "tok-del-" + string(rune('a'+i))
		tok := h.v.Add(raw, "deleter", nil) // not admitted: deletion needs no admission
		tok.AuthTime = c.authTime
		before := len(h.claims.calls)
		rec := h.do("DELETE", "/v1/me", raw, "", nil, "")
		if rec.Code != c.want {
			t.Errorf("%s: %d %s, want %d", c.name, rec.Code, rec.Body, c.want)
			continue
		}
		asked := len(h.claims.calls) > before
		if c.want == http.StatusForbidden {
			if !strings.Contains(rec.Body.String(), `"reauthentication_required"`) || asked {
				t.Errorf("%s: body %s, claims asked %v", c.name, rec.Body, asked)
			}
		} else if !asked || h.claims.calls[len(h.claims.calls)-1] != "DeleteAccount:deleter>deleter" {
			t.Errorf("%s: calls %v", c.name, h.claims.calls)
		}
	}
}

// TestDeleteMeAnswersPendingAs503: a deletion recorded but not finished
// is 503 change_pending with Retry-After.
func TestDeleteMeAnswersPendingAs503(t *testing.T) {
	h := newHarness(t, nil)
	h.claims.err = errPendingForTest
	tok := h.v.Add("tok-del", "deleter", nil)
	tok.AuthTime = h.srv.Now()
	rec := h.do("DELETE", "/v1/me", "tok-del", "{}", nil, "")
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"change_pending"`) || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("%d %s %v", rec.Code, rec.Body, rec.Header())
	}
}

// TestAdminDeleteUser: admins only, never themselves, body {} at most.
func TestAdminDeleteUser(t *testing.T) {
	h := newHarness(t, nil)
	if rec := h.do("DELETE", "/v1/admin/users/bob", "tok-alice", "", nil, ""); rec.Code != http.StatusForbidden {
		t.Fatalf("non-admin: %d %s", rec.Code, rec.Body)
	}
	if rec := h.do("DELETE", "/v1/admin/users/root", "tok-admin", "", nil, ""); rec.Code != http.StatusBadRequest {
		t.Fatalf("admin deleting themselves: %d %s", rec.Code, rec.Body)
	}
	if rec := h.do("DELETE", "/v1/admin/users/bob", "tok-admin", `{"x":1}`, nil, ""); rec.Code != http.StatusBadRequest {
		t.Fatalf("unexpected body: %d %s", rec.Code, rec.Body)
	}
	if rec := h.do("DELETE", "/v1/admin/users/bob", "tok-admin", "", nil, ""); rec.Code != http.StatusNoContent {
		t.Fatalf("admin delete: %d %s", rec.Code, rec.Body)
	}
	if got := h.claims.calls[len(h.claims.calls)-1]; got != "DeleteAccount:root>bob" {
		t.Fatalf("calls %v", h.claims.calls)
	}
}
