// Package authntest provides a fake authn.Verifier for handler tests.
//
// The fake maps raw token strings to tokens. It models the two Firebase
// checks that matter to the API: a revoked or disabled user fails only when
// revocation is checked (as with the real Admin SDK outside emulator mode),
// and an unknown token is invalid. It records whether each call asked for
// the revocation check, so tests can assert mutating routes do.
package authntest

import (
	"context"
	"sync"

	"github.com/roomgate/roomgate/internal/authn"
	"github.com/roomgate/roomgate/internal/schema"
)

// Verifier is a fake authn.Verifier. The zero value knows no tokens.
type Verifier struct {
	mu sync.Mutex // guards the fields below
	// tokens maps a raw token to the token it verifies as.
	tokens map[string]*authn.Token
	// revoked and disabled hold uids whose tokens fail the revocation check.
	revoked  map[string]bool
	disabled map[string]bool
	// Calls counts Verify calls; RevocationChecks counts those with checkRevoked.
	calls, revocationChecks int
	// Unavailable, when set, makes every call fail with authn.ErrUnavailable.
	unavailable bool
}

var _ authn.Verifier = (*Verifier)(nil)

// Add registers raw as a valid token for uid with the given custom claims.
func (v *Verifier) Add(raw, uid string, claims map[string]any) *authn.Token {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.tokens == nil {
		v.tokens = map[string]*authn.Token{}
	}
	c := map[string]any{}
	for k, val := range claims {
		c[k] = val
	}
	t := &authn.Token{UID: uid, Claims: c, EmailVerified: c[schema.ClaimEmailVerified] == true}
	t.Email, _ = c[schema.ClaimEmail].(string)
	v.tokens[raw] = t
	return t
}

// Revoke makes every token of uid fail the revocation check.
func (v *Verifier) Revoke(uid string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.revoked == nil {
		v.revoked = map[string]bool{}
	}
	v.revoked[uid] = true
}

// Disable makes every token of uid fail the revocation check as disabled.
func (v *Verifier) Disable(uid string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.disabled == nil {
		v.disabled = map[string]bool{}
	}
	v.disabled[uid] = true
}

// SetUnavailable makes the verifier fail every call as unreachable.
func (v *Verifier) SetUnavailable(b bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.unavailable = b
}

// Counts returns how many calls were made and how many checked revocation.
func (v *Verifier) Counts() (calls, revocationChecks int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.calls, v.revocationChecks
}

// Verify implements authn.Verifier.
func (v *Verifier) Verify(_ context.Context, raw string, checkRevoked bool) (*authn.Token, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.calls++
	if checkRevoked {
		v.revocationChecks++
	}
	if v.unavailable {
		return nil, authn.ErrUnavailable
	}
	t, ok := v.tokens[raw]
	if !ok {
		return nil, authn.ErrInvalidToken
	}
	if checkRevoked && v.disabled[t.UID] {
		return nil, authn.ErrUserDisabled
	}
	if checkRevoked && v.revoked[t.UID] {
		return nil, authn.ErrTokenRevoked
	}
	cp := *t
	return &cp, nil
}
