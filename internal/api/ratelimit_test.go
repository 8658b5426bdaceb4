package api

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRateLimitReadsAndMutations(t *testing.T) {
	clock := &fixedClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	h := newHarness(t, func(d *Deps) {
		d.RateLimit = RateConfig{Rate: 1, Burst: 3, MutationRate: 0.5, MutationBurst: 2}
		d.Now = clock.Now
	})
	// Three reads fit the burst, with Remaining counting down.
	for i := 0; i < 3; i++ {
		rec := h.do("GET", "/v1/rooms", "tok-alice", "", nil, "")
		if rec.Code != 200 {
			t.Fatalf("read %d = %d", i, rec.Code)
		}
		if got := rec.Header().Get("X-RateLimit-Remaining"); got != strconv.Itoa(2-i) {
			t.Fatalf("read %d Remaining = %q", i, got)
		}
		if rec.Header().Get("X-RateLimit-Limit") != "3" {
			t.Fatalf("Limit = %q", rec.Header().Get("X-RateLimit-Limit"))
		}
	}
	rec := h.do("GET", "/v1/rooms", "tok-alice", "", nil, "")
	if rec.Code != 429 || !strings.Contains(rec.Body.String(), `"code":"rate_limited"`) {
		t.Fatalf("4th read = %d %s", rec.Code, rec.Body)
	}
	if rec.Header().Get("Retry-After") != "1" || rec.Header().Get("X-RateLimit-Remaining") != "0" || rec.Header().Get("X-RateLimit-Reset") != "3" {
		t.Fatalf("429 headers: Retry-After %q Remaining %q Reset %q", rec.Header().Get("Retry-After"),
			rec.Header().Get("X-RateLimit-Remaining"), rec.Header().Get("X-RateLimit-Reset"))
	}
	// Another user is not affected.
	if rec := h.do("GET", "/v1/rooms", "tok-admin", "", nil, ""); rec.Code != 200 {
		t.Fatalf("other user = %d", rec.Code)
	}
	// A second later one token is back.
	clock.Advance(time.Second)
	if rec := h.do("GET", "/v1/rooms", "tok-alice", "", nil, ""); rec.Code != 200 {
		t.Fatalf("after refill = %d", rec.Code)
	}

	// Mutations have their own, stricter bucket (2, then 0.5/s).
	clock.Advance(10 * time.Second)
	for i := 0; i < 2; i++ {
		if rec := h.do("DELETE", "/v1/rooms/"+roomA, "tok-alice", "", nil, ""); rec.Code != 204 {
			t.Fatalf("mutation %d = %d", i, rec.Code)
		}
	}
	rec = h.do("DELETE", "/v1/rooms/"+roomA, "tok-alice", "", nil, "")
	if rec.Code != 429 || rec.Header().Get("Retry-After") != "2" || rec.Header().Get("X-RateLimit-Limit") != "2" {
		t.Fatalf("3rd mutation = %d Retry-After %q Limit %q", rec.Code, rec.Header().Get("Retry-After"), rec.Header().Get("X-RateLimit-Limit"))
	}
	// A refused mutation did not spend a read token.
	if rec := h.do("GET", "/v1/rooms", "tok-alice", "", nil, ""); rec.Code != 200 {
		t.Fatalf("read after refused mutation = %d", rec.Code)
	}
	if got := len(h.rooms.Calls()); got != 8 {
		t.Fatalf("domain calls = %d, want 8 (limited requests never reach it)", got)
	}
}

func TestRateLimitOffWhenZero(t *testing.T) {
	h := newHarness(t, nil) // zero RateConfig
	for i := 0; i < 50; i++ {
		rec := h.do("GET", "/v1/rooms", "tok-alice", "", nil, "")
		if rec.Code != 200 || rec.Header().Get("X-RateLimit-Limit") != "" {
			t.Fatalf("request %d = %d", i, rec.Code)
		}
	}
}

func TestLimiterSweepsIdleBuckets(t *testing.T) {
	clock := &fixedClock{t: time.Unix(0, 0)}
	l := newLimiter(RateConfig{Rate: 10, Burst: 10, MutationRate: 1, MutationBurst: 5}, clock.Now)
	for i := 0; i < 1000; i++ {
		l.take("u"+strconv.Itoa(i), true)
	}
	clock.Advance(2 * time.Minute)
	l.take("fresh", false)
	l.mu.Lock()
	n := len(l.buckets)
	l.mu.Unlock()
	if n != 1 {
		t.Fatalf("%d buckets after the sweep, want 1", n)
	}
}
