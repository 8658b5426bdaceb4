package authn

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// maxTokenBytes bounds the Authorization header we are willing to parse;
// Firebase ID tokens are around 1 KiB, custom claims add at most 1000 bytes.
const maxTokenBytes = 8 << 10

// Middleware verifies the bearer token of every request it wraps. Safe
// methods (GET, HEAD, OPTIONS) use the cheaper local check; every other
// method asks the Verifier to check revocation and disabled accounts too.
// On failure it returns the Verifier's sentinel error for the central error
// handler to map; the token itself never reaches an error or a log line.
func Middleware(v Verifier) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			raw, err := BearerToken(c.Request())
			if err != nil {
				return err
			}
			tok, err := v.Verify(c.Request().Context(), raw, Mutating(c.Request().Method))
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
