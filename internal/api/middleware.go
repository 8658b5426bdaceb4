package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/roomgate/roomgate/internal/authn"
)

const requestIDKey = "roomgate.request_id"

// requestIDMiddleware gives every request a fresh random ID, sent back in
// X-Request-Id and written to audit records and logs. A client-supplied
// ID is not trusted (it would let a caller forge audit correlation).
func (s *server) requestIDMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		var b [12]byte
		_, _ = rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		c.Set(requestIDKey, id)
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

func requestID(c echo.Context) string {
	id, _ := c.Get(requestIDKey).(string)
	return id
}

// recoverMiddleware turns a handler panic into a 500 problem and a log line.
func (s *server) recoverMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.log.Error("panic", slog.String("request_id", requestID(c)), slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return next(c)
	}
}

// observeMiddleware records metrics and one log line per request. It runs
// the error handler itself so the final status is known. The log line has
// method, route template, status, latency, request ID and uid, never
// headers or bodies (tokens live there).
func (s *server) observeMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		route := routeLabel(c)
		status := c.Response().Status
		if c.Request().Context().Err() == context.Canceled && !c.Response().Committed {
			status = statusClientClosed
		}
		elapsed := time.Since(start)
		s.metrics.observe(route, c.Request().Method, status, elapsed)
		attrs := []slog.Attr{
			slog.String("method", c.Request().Method), slog.String("route", route),
			slog.Int("status", status), slog.Duration("latency", elapsed),
			slog.String("request_id", requestID(c)),
		}
		if t := authn.FromContext(c); t != nil {
			attrs = append(attrs, slog.String("uid", t.UID))
		}
		s.log.LogAttrs(c.Request().Context(), slog.LevelInfo, "request", attrs...)
		return nil
	}
}

// routeLabel is the matched route template (bounded cardinality), or
// "unmatched".
func routeLabel(c echo.Context) string {
	p := c.Path()
	if p == "" || c.Response().Status == http.StatusNotFound && !knownRoute(c) {
		return "unmatched"
	}
	return p
}

func knownRoute(c echo.Context) bool {
	for _, r := range c.Echo().Routes() {
		if r.Path == c.Path() && r.Method == c.Request().Method {
			return true
		}
	}
	return false
}

// timeoutMiddleware bounds a /v1 request's Firestore and Auth work.
func (s *server) timeoutMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), s.RequestTimeout)
		defer cancel()
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}
