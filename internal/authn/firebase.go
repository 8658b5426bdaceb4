package authn

import (
	"context"
	"errors"
	"fmt"
	"time"

	"firebase.google.com/go/v4/auth"

	"github.com/roomgate/roomgate/internal/schema"
)

// TokenVerifier is the part of *auth.Client that Firebase uses; the
// indirection lets the Firebase verifier be unit-tested for error mapping.
type TokenVerifier interface {
	VerifyIDToken(ctx context.Context, idToken string) (*auth.Token, error)
	VerifyIDTokenAndCheckRevoked(ctx context.Context, idToken string) (*auth.Token, error)
}

// Firebase verifies ID tokens with the Firebase Admin SDK.
//
// VerifyIDToken checks structure, audience (project ID), issuer, subject,
// iat/exp and, outside emulator mode, the RS256 signature against Google's
// keys. VerifyIDTokenAndCheckRevoked additionally looks the user up and
// rejects disabled accounts and tokens issued before the last revocation.
// (With FIREBASE_AUTH_EMULATOR_HOST set the SDK skips the signature check,
// which is why internal/config refuses emulator mode for non-demo projects.)
type Firebase struct {
	Client TokenVerifier
}

var _ Verifier = (*Firebase)(nil)

// Verify implements Verifier.
func (f *Firebase) Verify(ctx context.Context, raw string, checkRevoked bool) (*Token, error) {
	var (
		t   *auth.Token
		err error
	)
	if checkRevoked {
		t, err = f.Client.VerifyIDTokenAndCheckRevoked(ctx, raw)
	} else {
		t, err = f.Client.VerifyIDToken(ctx, raw)
	}
	if err != nil {
		return nil, mapFirebaseError(err)
	}
	return fromFirebase(t), nil
}

// mapFirebaseError turns an Admin SDK error into a sentinel. The SDK's
// messages can quote token fields, so the original is kept only as text
// for the server log via %v of a sanitised kind, never the token.
func mapFirebaseError(err error) error {
	switch {
	case auth.IsIDTokenRevoked(err):
		return ErrTokenRevoked
	case auth.IsUserDisabled(err):
		return ErrUserDisabled
	case auth.IsIDTokenExpired(err), auth.IsIDTokenInvalid(err), auth.IsUserNotFound(err):
		return ErrInvalidToken
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	case auth.IsCertificateFetchFailed(err):
		return ErrUnavailable
	default:
		// Unknown failure: deny, and say the verifier is unavailable rather
		// than guessing what was wrong with the token.
		return ErrUnavailable
	}
}

func fromFirebase(t *auth.Token) *Token {
	out := &Token{
		UID:      t.UID,
		IssuedAt: time.Unix(t.IssuedAt, 0),
		Claims:   t.Claims,
	}
	if t.AuthTime > 0 {
		out.AuthTime = time.Unix(t.AuthTime, 0)
	}
	if out.Claims == nil {
		out.Claims = map[string]any{}
	}
	out.Email, _ = t.Claims[schema.ClaimEmail].(string)
	out.EmailVerified, _ = t.Claims[schema.ClaimEmailVerified].(bool)
	return out
}
