package authn

import "github.com/labstack/echo/v4"

// contextKey is the echo.Context key under which Middleware stores the
// verified *Token. It is unexported so only this package can set it.
const contextKey = "roomgate.authn.token"

// WithToken stores t in c. Middleware calls it; tests may too.
func WithToken(c echo.Context, t *Token) { c.Set(contextKey, t) }

// FromContext returns the verified token stored by Middleware, or nil when
// the route is not behind it. Handlers behind Middleware may rely on non-nil.
func FromContext(c echo.Context) *Token {
	t, _ := c.Get(contextKey).(*Token)
	return t
}
