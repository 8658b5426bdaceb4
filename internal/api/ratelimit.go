package api

import (
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/roomgate/roomgate/internal/authn"
)

// RateConfig configures the per-uid token buckets. Every /v1 request takes
// a token from the general bucket; a mutating request must also find one
// in the stricter mutation bucket. A zero rate disables that bucket.
type RateConfig struct {
	Rate          float64 // tokens per second, general bucket
	Burst         int     // capacity, general bucket
	MutationRate  float64
	MutationBurst int
}

// limiter holds the buckets of every uid seen recently, in memory: limits
// are per instance (a deployment of N instances allows up to N times the
// rate per uid when a balancer spreads one user's requests).
type limiter struct {
	cfg RateConfig
	now func() time.Time

	mu sync.Mutex // guards buckets and lastSweep
	// buckets maps a uid to its two buckets.
	buckets   map[string]*userBuckets
	lastSweep time.Time
}

type userBuckets struct {
	general, mutation bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// sweepEvery is how often idle, refilled buckets are dropped.
const sweepEvery = time.Minute

func newLimiter(cfg RateConfig, now func() time.Time) *limiter {
	return &limiter{cfg: cfg, now: now, buckets: map[string]*userBuckets{}, lastSweep: now()}
}

// decision is what take reports for the headers.
type decision struct {
	allowed    bool
	limit      int
	remaining  int
	retryAfter time.Duration // until one token is back (when refused)
	reset      time.Duration // until the bucket is full again
}

// refill brings b up to date at now.
func (b *bucket) refill(now time.Time, rate float64, burst int) {
	if b.last.IsZero() {
		b.tokens, b.last = float64(burst), now
		return
	}
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = math.Min(float64(burst), b.tokens+el*rate)
		b.last = now
	}
}

func (b *bucket) report(allowed bool, rate float64, burst int) decision {
	d := decision{allowed: allowed, limit: burst, remaining: int(math.Floor(b.tokens))}
	if d.remaining < 0 {
		d.remaining = 0
	}
	d.reset = time.Duration((float64(burst) - b.tokens) / rate * float64(time.Second))
	if !allowed {
		d.retryAfter = time.Duration((1 - b.tokens) / rate * float64(time.Second))
	}
	return d
}

// take consumes a token for uid (and a mutation token when mutating) if
// both buckets have one; otherwise nothing is consumed.
func (l *limiter) take(uid string, mutating bool) (decision, bool) {
	gOn := l.cfg.Rate > 0
	mOn := mutating && l.cfg.MutationRate > 0
	if !gOn && !mOn {
		return decision{}, false
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweepLocked(now)
	ub := l.buckets[uid]
	if ub == nil {
		ub = &userBuckets{}
		l.buckets[uid] = ub
	}
	if gOn {
		ub.general.refill(now, l.cfg.Rate, l.cfg.Burst)
	}
	if mOn {
		ub.mutation.refill(now, l.cfg.MutationRate, l.cfg.MutationBurst)
	}
	switch {
	case mOn && ub.mutation.tokens < 1:
		return ub.mutation.report(false, l.cfg.MutationRate, l.cfg.MutationBurst), true
	case gOn && ub.general.tokens < 1:
		return ub.general.report(false, l.cfg.Rate, l.cfg.Burst), true
	}
	if gOn {
		ub.general.tokens--
	}
	if mOn {
		ub.mutation.tokens--
		// The mutation bucket is the binding one for a mutating request.
		return ub.mutation.report(true, l.cfg.MutationRate, l.cfg.MutationBurst), true
	}
	return ub.general.report(true, l.cfg.Rate, l.cfg.Burst), true
}

// sweepLocked drops buckets that have refilled completely, which bounds the
// map by the number of uids active within the refill time. l.mu must be held.
func (l *limiter) sweepLocked(now time.Time) {
	if now.Sub(l.lastSweep) < sweepEvery {
		return
	}
	l.lastSweep = now
	for uid, ub := range l.buckets {
		if full(&ub.general, now, l.cfg.Rate, l.cfg.Burst) && full(&ub.mutation, now, l.cfg.MutationRate, l.cfg.MutationBurst) {
			delete(l.buckets, uid)
		}
	}
}

func full(b *bucket, now time.Time, rate float64, burst int) bool {
	if b.last.IsZero() || rate <= 0 {
		return true
	}
	return b.tokens+now.Sub(b.last).Seconds()*rate >= float64(burst)
}

// rateLimitMiddleware applies the limiter after authentication (the key is
// the verified uid) and sets X-RateLimit-Limit, -Remaining and -Reset
// (seconds until the bucket is full) on every limited route; a refused
// request gets 429 with Retry-After (whole seconds, at least 1).
func (s *server) rateLimitMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		t := authn.FromContext(c)
		d, on := s.limiter.take(t.UID, authn.Mutating(c.Request().Method))
		if !on {
			return next(c)
		}
		h := c.Response().Header()
		h.Set("X-RateLimit-Limit", strconv.Itoa(d.limit))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(d.remaining))
		h.Set("X-RateLimit-Reset", strconv.Itoa(ceilSeconds(d.reset)))
		if !d.allowed {
			s.metrics.rateLimited.Inc()
			h.Set("Retry-After", strconv.Itoa(max(1, ceilSeconds(d.retryAfter))))
			return problem(CodeRateLimited, "slow down; see Retry-After")
		}
		return next(c)
	}
}

func ceilSeconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int(math.Ceil(d.Seconds()))
}
