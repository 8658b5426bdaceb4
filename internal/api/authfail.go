package api

import (
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/roomgate/roomgate/internal/authn"
)

// AuthFailureConfig bounds failed authentications per client address: each
// 401 (no token, a bad, revoked or disabled one) takes a token from the
// address's bucket, and an address with an empty bucket gets 429 before
// its token is even looked at. A zero Rate turns the limit off.
type AuthFailureConfig struct {
	Rate  float64 // failures forgiven per second
	Burst int     // failures allowed in a row
	// TrustedProxies is how many reverse proxies in front of the service
	// append the address they saw to X-Forwarded-For (Cloud Run and most
	// single load balancers: 1). 0 uses the connection's address and
	// ignores the header, which a client can write freely.
	TrustedProxies int
}

// failLimiter holds one bucket per client address.
type failLimiter struct {
	cfg AuthFailureConfig
	now func() time.Time

	mu sync.Mutex // guards buckets and lastSweep
	// buckets maps a client address to its failure bucket.
	buckets   map[string]*bucket
	lastSweep time.Time
}

func newFailLimiter(cfg AuthFailureConfig, now func() time.Time) *failLimiter {
	return &failLimiter{cfg: cfg, now: now, buckets: map[string]*bucket{}, lastSweep: now()}
}

// blocked reports whether addr has used up its failures, and for how long.
func (l *failLimiter) blocked(addr string) (time.Duration, bool) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[addr]
	if b == nil {
		return 0, false
	}
	b.refill(now, l.cfg.Rate, l.cfg.Burst)
	if b.tokens >= 1 {
		return 0, false
	}
	return b.report(false, l.cfg.Rate, l.cfg.Burst).retryAfter, true
}

// fail records one failed authentication from addr.
func (l *failLimiter) fail(addr string) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) >= sweepEvery {
		l.lastSweep = now
		for a, b := range l.buckets {
			if full(b, now, l.cfg.Rate, l.cfg.Burst) {
				delete(l.buckets, a)
			}
		}
	}
	b := l.buckets[addr]
	if b == nil {
		b = &bucket{}
		l.buckets[addr] = b
	}
	b.refill(now, l.cfg.Rate, l.cfg.Burst)
	b.tokens = max(0, b.tokens-1)
}

// authFailureMiddleware goes in front of authentication: a client address
// that failed too often is refused at once (no token parsing, no Auth
// call), and every authentication failure behind it is counted.
func (s *server) authFailureMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	if s.AuthFailures.Rate <= 0 {
		return next
	}
	return func(c echo.Context) error {
		addr := clientAddr(c.Request().RemoteAddr, c.Request().Header.Values(echo.HeaderXForwardedFor), s.AuthFailures.TrustedProxies)
		if wait, ok := s.failures.blocked(addr); ok {
			s.metrics.rateLimited.Inc()
			c.Response().Header().Set("Retry-After", strconv.Itoa(max(1, ceilSeconds(wait))))
			return problem(CodeAuthFailures, "too many failed authentications from your address; see Retry-After")
		}
		err := next(c)
		if authn.IsAuthFailure(err) {
			s.failures.fail(addr)
		}
		return err
	}
}

// clientAddr is the address a request came from: the connection's peer,
// or, behind trustedProxies proxies that each append to X-Forwarded-For,
// the entry the outermost trusted proxy wrote (the trustedProxies-th from
// the right). Entries to its left are the client's own claims and are
// never used. A header too short for the configured proxies falls back to
// the connection's peer.
func clientAddr(remoteAddr string, xff []string, trustedProxies int) string {
	peer := remoteAddr
	if host, _, err := net.SplitHostPort(remoteAddr); err == nil {
		peer = host
	}
	if trustedProxies <= 0 {
		return peer
	}
	var hops []string
	for _, h := range xff {
		for _, part := range strings.Split(h, ",") {
			hops = append(hops, strings.TrimSpace(part))
		}
	}
	if len(hops) < trustedProxies {
		return peer
	}
	if ip := net.ParseIP(hops[len(hops)-trustedProxies]); ip != nil {
		return ip.String()
	}
	return peer
}
