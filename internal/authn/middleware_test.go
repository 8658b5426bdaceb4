package authn_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/roomgate/roomgate/internal/authn"
	"github.com/roomgate/roomgate/internal/authn/authntest"
)

func newEcho(v authn.Verifier) (*echo.Echo, *[]error) {
	e := echo.New()
	var errs []error
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		errs = append(errs, err)
		_ = c.NoContent(http.StatusUnauthorized)
	}
	h := func(c echo.Context) error {
		return c.String(http.StatusOK, authn.FromContext(c).UID)
	}
	g := e.Group("", authn.Middleware(v), authn.CheckRevocation(v))
	g.GET("/x", h)
	g.POST("/x", h)
	return e, &errs
}

func do(e *echo.Echo, method, auth string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "/x", nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

func TestMiddleware(t *testing.T) {
	v := &authntest.Verifier{}
	v.Add("good.token.sig", "alice", nil)
	v.Add("bad.uid.tok", "../etc", nil)
	v.Add("rev.tok.x", "bob", nil)
	v.Revoke("bob")
	v.Add("dis.tok.x", "carol", nil)
	v.Disable("carol")

	cases := []struct {
		name    string
		method  string
		auth    string
		want    int
		wantErr error
	}{
		{"a valid token reaches the handler", http.MethodGet, "Bearer good.token.sig", 200, nil},
		{"the scheme is case-insensitive", http.MethodGet, "bearer good.token.sig", 200, nil},
		{"no header is missing_token", http.MethodGet, "", 401, authn.ErrMissingToken},
		{"a Basic header is missing_token", http.MethodGet, "Basic dXNlcjpwYXNz", 401, authn.ErrMissingToken},
		{"an empty bearer is missing_token", http.MethodGet, "Bearer ", 401, authn.ErrMissingToken},
		{"an unknown token is invalid", http.MethodGet, "Bearer nope.nope.nope", 401, authn.ErrInvalidToken},
		{"a token with spaces or quotes is invalid", http.MethodGet, `Bearer a"b`, 401, authn.ErrInvalidToken},
		{"a token whose uid is not a safe document ID is invalid", http.MethodGet, "Bearer bad.uid.tok", 401, authn.ErrInvalidToken},
		{"an oversized header is missing_token", http.MethodGet, "Bearer " + strings.Repeat("a", 9000), 401, authn.ErrMissingToken},
		{"a revoked token still reads (no revocation check on GET)", http.MethodGet, "Bearer rev.tok.x", 200, nil},
		{"a revoked token cannot mutate", http.MethodPost, "Bearer rev.tok.x", 401, authn.ErrTokenRevoked},
		{"a disabled user cannot mutate", http.MethodPost, "Bearer dis.tok.x", 401, authn.ErrUserDisabled},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, errs := newEcho(v)
			rec := do(e, c.method, c.auth)
			if rec.Code != c.want {
				t.Fatalf("status = %d, want %d", rec.Code, c.want)
			}
			if c.wantErr != nil {
				if len(*errs) != 1 || !errors.Is((*errs)[0], c.wantErr) {
					t.Fatalf("errors = %v, want %v", *errs, c.wantErr)
				}
				if raw := strings.TrimPrefix(c.auth, "Bearer "); raw != "" && strings.Contains((*errs)[0].Error(), raw) {
					t.Fatalf("error %q mentions the token", (*errs)[0])
				}
			}
		})
	}
}

func TestMutatingRoutesCheckRevocation(t *testing.T) {
	v := &authntest.Verifier{}
	v.Add("good.token.sig", "alice", nil)
	e, _ := newEcho(v)
	do(e, http.MethodGet, "Bearer good.token.sig")
	if _, rc := v.Counts(); rc != 0 {
		t.Fatalf("GET checked revocation %d times, want 0", rc)
	}
	do(e, http.MethodPost, "Bearer good.token.sig")
	// The POST is verified locally first, then with the revocation check.
	if calls, rc := v.Counts(); calls != 3 || rc != 1 {
		t.Fatalf("after POST: calls=%d revocationChecks=%d, want 3 and 1", calls, rc)
	}
}

func TestValidUID(t *testing.T) {
	good := []string{"a", "abcDEF0123456789abcdefghijkl", "user:42", "x@y.z", "a_b-c+d", strings.Repeat("a", 128)}
	bad := []string{"", ".", "..", "a/b", "__x__", "a b", "é", strings.Repeat("a", 129), "a\x00", "a%2F"}
	for _, s := range good {
		if !authn.ValidUID(s) {
			t.Errorf("ValidUID(%q) = false", s)
		}
	}
	for _, s := range bad {
		if authn.ValidUID(s) {
			t.Errorf("ValidUID(%q) = true", s)
		}
	}
}

func TestTokenAdmitted(t *testing.T) {
	cases := []struct {
		claims map[string]any
		want   bool
	}{
		{map[string]any{"chat": true}, true},
		{map[string]any{"chat": true, "banned": true}, false},
		{map[string]any{"chat": "true"}, false},
		{map[string]any{}, false},
		{map[string]any{"chat": true, "banned": false}, true},
	}
	for _, c := range cases {
		tok := &authn.Token{UID: "u", Claims: c.claims}
		if got := tok.Admitted(); got != c.want {
			t.Errorf("Admitted(%v) = %v, want %v", c.claims, got, c.want)
		}
	}
}
