package push

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"google.golang.org/api/idtoken"
)

// TestEventAuth: only a verified Google-issued token for the audience,
// naming an allowed and verified service account, passes; unsigned
// deliveries pass only when AllowUnsigned (demo- projects on emulators).
func TestEventAuth(t *testing.T) {
	const aud, sa = "https://roomgate.example.run.app", "eventarc@p.iam.gserviceaccount.com"
	payload := func(iss, a, email string, verified bool) *idtoken.Payload {
		return &idtoken.Payload{Issuer: iss, Audience: a, Claims: map[string]any{"email": email, "email_verified": verified}}
	}
	valid := func(p *idtoken.Payload, err error) func(context.Context, string, string) (*idtoken.Payload, error) {
		return func(context.Context, string, string) (*idtoken.Payload, error) { return p, err }
	}
	good := payload("https://accounts.google.com", aud, sa, true)
	cases := []struct {
		name   string
		auth   EventAuth
		header string
		ok     bool
	}{
		{"valid", EventAuth{Audience: aud, Invokers: []string{sa}, Validate: valid(good, nil)}, "Bearer t", true},
		{"short issuer form", EventAuth{Audience: aud, Invokers: []string{sa}, Validate: valid(payload("accounts.google.com", aud, sa, true), nil)}, "Bearer t", true},
		{"no header", EventAuth{Audience: aud, Invokers: []string{sa}, Validate: valid(good, nil)}, "", false},
		{"not bearer", EventAuth{Audience: aud, Invokers: []string{sa}, Validate: valid(good, nil)}, "Basic t", false},
		{"signature fails", EventAuth{Audience: aud, Invokers: []string{sa}, Validate: valid(nil, errors.New("bad"))}, "Bearer t", false},
		{"other audience", EventAuth{Audience: aud, Invokers: []string{sa}, Validate: valid(payload("https://accounts.google.com", "x", sa, true), nil)}, "Bearer t", false},
		{"other issuer", EventAuth{Audience: aud, Invokers: []string{sa}, Validate: valid(payload("https://evil.example", aud, sa, true), nil)}, "Bearer t", false},
		{"other account", EventAuth{Audience: aud, Invokers: []string{sa}, Validate: valid(payload("https://accounts.google.com", aud, "x@y", true), nil)}, "Bearer t", false},
		{"unverified email", EventAuth{Audience: aud, Invokers: []string{sa}, Validate: valid(payload("https://accounts.google.com", aud, sa, false), nil)}, "Bearer t", false},
		{"no invokers configured", EventAuth{Audience: aud, Validate: valid(good, nil)}, "Bearer t", false},
		{"no audience configured", EventAuth{Invokers: []string{sa}, Validate: valid(good, nil)}, "Bearer t", false},
		{"unsigned allowed", EventAuth{AllowUnsigned: true}, "", true},
	}
	for _, c := range cases {
		r := httptest.NewRequest("POST", "/events/firestore", nil)
		if c.header != "" {
			r.Header.Set("Authorization", c.header)
		}
		if err := c.auth.Check(r); (err == nil) != c.ok {
			t.Errorf("%s: Check = %v, want ok=%v", c.name, err, c.ok)
		}
	}
}

func TestUnsignedAllowedOnlyForDemoOnEmulator(t *testing.T) {
	for _, c := range []struct {
		project, host string
		want          bool
	}{{"demo-x", "127.0.0.1:8080", true}, {"demo-x", "", false}, {"prod", "127.0.0.1:8080", false}, {"prod", "", false}} {
		if got := UnsignedAllowed(c.project, c.host); got != c.want {
			t.Errorf("UnsignedAllowed(%q, %q) = %v", c.project, c.host, got)
		}
	}
	if CheckFCMEmulatorSafety("prod", "127.0.0.1:1") == nil || CheckFCMEmulatorSafety("demo-x", "127.0.0.1:1") != nil {
		t.Error("CheckFCMEmulatorSafety")
	}
}
