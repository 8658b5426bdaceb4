package authn

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// maxTokenBytes bounds the Authorization header we are willing to parse;
// Firebase ID tokens are around 1 KiB, custom claims add at most 1000 bytes.
const maxTokenBytes = 8 << 10

// Middleware verifies the bearer token of every request it wraps with the
// local check only (signature, expiry, audience: no call to Firebase Auth)
// and stores the verified Token in the context. Mutating routes add
// CheckRevocation after their rate limiter, so that a request refused for
// its rate costs no Auth lookup. On failure it returns the Verifier's
// sentinel error for the central error handler to map; the token itself
// never reaches an error or a log line.
func Middleware(v Verifier) echo.MiddlewareFunc {
	return verify(v, false)
}

// CheckRevocation verifies the bearer token again, this time asking
// Firebase Auth whether the account is disabled or its tokens revoked, on
// every method that changes state (Mutating); safe methods pass through.
// It goes after Middleware and the rate limiter.
func CheckRevocation(v Verifier) echo.MiddlewareFunc {
	check := verify(v, true)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		checked := check(next)
		return func(c echo.Context) error {
			if !Mutating(c.Request().Method) {
				return next(c)
			}
			return checked(c)
		}
	}
}

func verify(v Verifier, checkRevoked bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			raw, err := BearerToken(c.Request())
			if err != nil {
				return err
			}
			tok, err := v.Verify(c.Request().Context(), raw, checkRevoked)
			if err != nil {
				return err
			}
			if tok == nil || !ValidUID(tok.UID) {
				return ErrInvalidToken
			}
			WithToken(c, tok)
			return next(c)
		}
	}
}

// IsAuthFailure reports whether err says the caller failed to
// authenticate (no token, a bad, revoked or disabled one), as opposed to
// the verifier being unavailable.
func IsAuthFailure(err error) bool {
	return errors.Is(err, ErrMissingToken) || errors.Is(err, ErrInvalidToken) ||
		errors.Is(err, ErrTokenRevoked) || errors.Is(err, ErrUserDisabled)
}

// Mutating reports whether method changes state, and so whether revocation
// must be checked.
func Mutating(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// BearerToken extracts the token from "Authorization: Bearer <token>"
// (scheme case-insensitive, as RFC 6750 allows). A missing, empty, oversized
// or non-Bearer header is ErrMissingToken; a token with characters outside
// the JWT alphabet is ErrInvalidToken.
func BearerToken(r *http.Request) (string, error) {
	h := r.Header.Get(echo.HeaderAuthorization)
	if h == "" || len(h) > maxTokenBytes {
		return "", ErrMissingToken
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", ErrMissingToken
	}
	tok = strings.TrimSpace(tok)
	if tok == "" {
		return "", ErrMissingToken
	}
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '=') {
			return "", ErrInvalidToken
		}
	}
	return tok, nil
}
