package push

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"google.golang.org/api/idtoken"
)

// ErrUnauthenticated is a delivery without a valid Eventarc identity.
var ErrUnauthenticated = errors.New("push: event delivery not authenticated")

// EventAuth authenticates Eventarc's deliveries. Eventarc calls a Cloud
// Run service with a Google-signed OIDC ID token of the trigger's service
// account: the token must verify against Google's keys, be issued by
// accounts.google.com for Audience, and name a verified email in
// Invokers. With no Audience or no Invokers every delivery is refused
// (deny by default).
type EventAuth struct {
	Audience string
	Invokers []string
	// AllowUnsigned accepts deliveries without a token: only for demo-
	// projects on the emulators (see UnsignedAllowed), whose CloudEvents
	// delivery sends none.
	AllowUnsigned bool
	// Validate verifies a token (idtoken.Validate if nil).
	Validate func(ctx context.Context, token, audience string) (*idtoken.Payload, error)
}

// UnsignedAllowed reports whether unsigned deliveries may be accepted:
// only a demo- project (which cannot have live resources) running against
// the Firestore emulator.
func UnsignedAllowed(projectID, firestoreEmulatorHost string) bool {
	return strings.HasPrefix(projectID, "demo-") && firestoreEmulatorHost != ""
}

var googleIssuers = []string{"https://accounts.google.com", "accounts.google.com"}

// Check authenticates r.
func (a *EventAuth) Check(r *http.Request) error {
	if a.AllowUnsigned {
		return nil
	}
	if a.Audience == "" || len(a.Invokers) == 0 {
		return ErrUnauthenticated
	}
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || tok == "" {
		return ErrUnauthenticated
	}
	validate := a.Validate
	if validate == nil {
		validate = idtoken.Validate
	}
	p, err := validate(r.Context(), tok, a.Audience)
	if err != nil || p == nil {
		return ErrUnauthenticated
	}
	if p.Audience != a.Audience || !slices.Contains(googleIssuers, p.Issuer) {
		return ErrUnauthenticated
	}
	email, _ := p.Claims["email"].(string)
	verified, _ := p.Claims["email_verified"].(bool)
	if email == "" || !verified || !slices.Contains(a.Invokers, email) {
		return ErrUnauthenticated
	}
	return nil
}
