// Package authn verifies Firebase ID tokens for the HTTP API.
//
// The seam is the small Verifier interface in this file: the Firebase
// implementation (firebase.go) wraps the Admin SDK, and authntest holds a
// fake for handler tests. Middleware (middleware.go) extracts the bearer
// token, verifies it (checking revocation on mutating methods) and stores
// the verified Token in the request context (context.go).
// Raw tokens are never logged, wrapped into errors or echoed in responses.
package authn

import (
	"context"
	"errors"
	"time"

	"github.com/roomgate/roomgate/internal/schema"
)

// Sentinel errors a Verifier returns. The API maps each to a 401 with a
// stable problem code (see internal/api/errors.go); every other error is
// treated as the verifier being unavailable (503), never as success.
var (
	// ErrMissingToken: no Authorization header, or not a Bearer token.
	ErrMissingToken = errors.New("authn: missing bearer token")
	// ErrInvalidToken: malformed, wrongly signed, expired, for another
	// project, or for a user that no longer exists.
	ErrInvalidToken = errors.New("authn: invalid ID token")
	// ErrTokenRevoked: issued before the user's refresh tokens were revoked.
	ErrTokenRevoked = errors.New("authn: ID token revoked")
	// ErrUserDisabled: the account is disabled.
	ErrUserDisabled = errors.New("authn: user disabled")
	// ErrUnavailable: the verifier could not reach Firebase Auth (or failed in
	// a way that says nothing about the token). The request is denied.
	ErrUnavailable = errors.New("authn: token verification unavailable")
)

// Token is a verified ID token: who the caller is and the claims the token
// carried when it was minted (custom claims reach a token only on refresh).
type Token struct {
	// UID is the token's subject, already checked with ValidUID.
	UID string
	// Email and EmailVerified come from the standard Firebase claims.
	Email         string
	EmailVerified bool
	// IssuedAt is the token's iat.
	IssuedAt time.Time
	// AuthTime is the token's auth_time: when the user last signed in
	// (not when this token was refreshed). Zero when absent.
	AuthTime time.Time
	// Claims holds the custom and Firebase claims (never iss, aud, exp, iat,
	// sub). Custom claims such as chat, role and banned sit at top level.
	Claims map[string]any
}

// Bool reports whether the claim name is the JSON boolean true.
func (t *Token) Bool(name string) bool {
	v, ok := t.Claims[name].(bool)
	return ok && v
}

// String returns the claim name if it is a string, else "".
func (t *Token) String(name string) string {
	v, _ := t.Claims[name].(string)
	return v
}

// Admitted reports whether the token carries the chat claim and not the
// banned claim: the service's own version of the rules' admitted().
func (t *Token) Admitted() bool {
	return t.Bool(schema.ClaimChat) && !t.Bool(schema.ClaimBanned)
}

// Verifier checks a raw ID token. checkRevoked asks for the expensive check
// against Firebase Auth (disabled account, revoked refresh tokens); the
// service asks for it on every mutating route. Implementations return one of
// the sentinel errors above (possibly wrapped), never the raw token.
type Verifier interface {
	Verify(ctx context.Context, rawToken string, checkRevoked bool) (*Token, error)
}
