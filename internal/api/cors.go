package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// corsMaxAge is how long a browser may cache a preflight answer (seconds).
const corsMaxAge = 600

// corsAllowHeaders are the request headers a browser client may send.
var corsAllowHeaders = strings.Join([]string{echo.HeaderAuthorization, echo.HeaderContentType, "Idempotency-Key", echo.HeaderXRequestID}, ", ")

// corsExposeHeaders are the response headers a browser client may read.
var corsExposeHeaders = strings.Join([]string{echo.HeaderLocation, echo.HeaderRetryAfter, echo.HeaderXRequestID,
	"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"}, ", ")

// corsMiddleware lets pages from the exact origins in s.CORSOrigins call
// the API from a browser. A preflight from such an origin is answered here,
// before routing reaches authentication (a browser never sends the token
// with it). Requests from any other origin get no CORS headers, so the
// browser keeps the answer from the page. No credentials mode: the API
// takes bearer tokens, never cookies.
func (s *server) corsMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	if len(s.CORSOrigins) == 0 {
		return next
	}
	allowed := make(map[string]bool, len(s.CORSOrigins))
	for _, o := range s.CORSOrigins {
		allowed[o] = true
	}
	return func(c echo.Context) error {
		r, h := c.Request(), c.Response().Header()
		h.Add(echo.HeaderVary, echo.HeaderOrigin)
		origin := r.Header.Get(echo.HeaderOrigin)
		if origin == "" || !allowed[origin] {
			return next(c)
		}
		h.Set(echo.HeaderAccessControlAllowOrigin, origin)
		if r.Method != http.MethodOptions || r.Header.Get(echo.HeaderAccessControlRequestMethod) == "" {
			h.Set(echo.HeaderAccessControlExposeHeaders, corsExposeHeaders)
			return next(c)
		}
		h.Add(echo.HeaderVary, echo.HeaderAccessControlRequestMethod)
		h.Add(echo.HeaderVary, echo.HeaderAccessControlRequestHeaders)
		h.Set(echo.HeaderAccessControlAllowMethods, "GET, HEAD, POST, PUT, PATCH, DELETE")
		h.Set(echo.HeaderAccessControlAllowHeaders, corsAllowHeaders)
		h.Set(echo.HeaderAccessControlMaxAge, strconv.Itoa(corsMaxAge))
		return c.NoContent(http.StatusNoContent)
	}
}
