package api

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// keyedLimiter is one token bucket per key (a uid), in memory and per
// instance like the general limiter, for the dedicated limits of single
// routes (GuessLimits).
type keyedLimiter struct {
	rate  float64
	burst int
	now   func() time.Time

	mu        sync.Mutex // guards buckets and lastSweep
	buckets   map[string]*bucket
	lastSweep time.Time
}

func newKeyedLimiter(rate float64, burst int, now func() time.Time) *keyedLimiter {
	return &keyedLimiter{rate: rate, burst: burst, now: now, buckets: map[string]*bucket{}, lastSweep: now()}
}

// check reports whether key has a token, and takes it when take is set.
// When it has none, wait is how long until one is back.
func (k *keyedLimiter) check(key string, take bool) (ok bool, wait time.Duration) {
	now := k.now()
	k.mu.Lock()
	defer k.mu.Unlock()
	if now.Sub(k.lastSweep) >= sweepEvery {
		k.lastSweep = now
		for key, b := range k.buckets {
			if full(b, now, k.rate, k.burst) {
				delete(k.buckets, key)
			}
		}
	}
	b := k.buckets[key]
	if b == nil {
		b = &bucket{}
		k.buckets[key] = b
	}
	b.refill(now, k.rate, k.burst)
	if b.tokens < 1 {
		return false, b.report(false, k.rate, k.burst).retryAfter
	}
	if take {
		b.tokens--
	}
	return true, 0
}

// take consumes a token of key, if there is one.
func (k *keyedLimiter) take(key string) (bool, time.Duration) { return k.check(key, true) }

// has reports whether key has a token without taking it.
func (k *keyedLimiter) has(key string) (bool, time.Duration) { return k.check(key, false) }

// tooMany is the 429 of a dedicated limit, with Retry-After.
func (s *server) tooMany(c echo.Context, wait time.Duration, detail string) error {
	s.metrics.rateLimited.Inc()
	c.Response().Header().Set("Retry-After", strconv.Itoa(max(1, ceilSeconds(wait))))
	p := problem(CodeRateLimited, detail)
	p.Status = http.StatusTooManyRequests
	return p
}
