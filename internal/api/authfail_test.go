package api

import (
	"strings"
	"testing"
	"time"
)

// TestRateLimitedMutationCostsNoRevocationLookup: the per-uid limiter runs
// before the revocation check, so a refused mutation makes no call to
// Firebase Auth.
func TestRateLimitedMutationCostsNoRevocationLookup(t *testing.T) {
	clock := &fixedClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	h := newHarness(t, func(d *Deps) {
		d.RateLimit = RateConfig{Rate: 100, Burst: 100, MutationRate: 0.1, MutationBurst: 2}
		d.Now = clock.Now
	})
	for i := 0; i < 2; i++ {
		if rec := h.do("DELETE", "/v1/rooms/"+roomA, "tok-alice", "", nil, ""); rec.Code != 204 {
			t.Fatalf("mutation %d = %d", i, rec.Code)
		}
	}
	_, before := h.v.Counts()
	for i := 0; i < 5; i++ {
		if rec := h.do("DELETE", "/v1/rooms/"+roomA, "tok-alice", "", nil, ""); rec.Code != 429 {
			t.Fatalf("limited mutation %d = %d", i, rec.Code)
		}
	}
	if _, after := h.v.Counts(); after != before {
		t.Fatalf("5 rate-limited mutations made %d revocation lookups, want 0", after-before)
	}
	if before != 2 {
		t.Fatalf("2 allowed mutations made %d revocation lookups, want 2", before)
	}
}

// TestFailedAuthenticationsAreLimitedPerAddress: an address that sent too
// many bad tokens is refused before its next token is verified, a good
// token from it included, until time forgives a failure; other addresses
// are not affected; behind one trusted proxy the address is the one the
// proxy appended, whatever the client wrote to the left of it.
func TestFailedAuthenticationsAreLimitedPerAddress(t *testing.T) {
	clock := &fixedClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	h := newHarness(t, func(d *Deps) {
		d.AuthFailures = AuthFailureConfig{Rate: 0.5, Burst: 3, TrustedProxies: 1}
		d.Now = clock.Now
	})
	from := func(addr string) map[string]string {
		return map[string]string{"X-Forwarded-For": "6.6.6." + addr + ", 203.0.113." + addr}
	}
	for i := 0; i < 3; i++ {
		if rec := h.do("GET", "/v1/rooms", "forged.token.x", "", from("1"), ""); rec.Code != 401 {
			t.Fatalf("bad token %d = %d", i, rec.Code)
		}
	}
	if rec := h.do("GET", "/v1/rooms", "", "", from("1"), ""); rec.Code != 429 {
		t.Fatalf("4th failure = %d, want 429", rec.Code)
	}
	calls, _ := h.v.Counts()
	rec := h.do("GET", "/v1/rooms", "tok-alice", "", map[string]string{"X-Forwarded-For": "198.51.100.7, 203.0.113.1"}, "")
	if rec.Code != 429 || !strings.Contains(rec.Body.String(), "too_many_auth_failures") || rec.Header().Get("Retry-After") != "2" {
		t.Fatalf("good token from a blocked address (spoofed left entry) = %d %s Retry-After %q", rec.Code, rec.Body, rec.Header().Get("Retry-After"))
	}
	if now, _ := h.v.Counts(); now != calls {
		t.Fatalf("a blocked address's token was verified (%d calls)", now-calls)
	}
	if rec := h.do("GET", "/v1/rooms", "tok-alice", "", from("2"), ""); rec.Code != 200 {
		t.Fatalf("another address = %d", rec.Code)
	}
	clock.Advance(2 * time.Second)
	if rec := h.do("GET", "/v1/rooms", "tok-alice", "", from("1"), ""); rec.Code != 200 {
		t.Fatalf("after one failure is forgiven = %d", rec.Code)
	}
	// Successes do not count: many good requests never block.
	for i := 0; i < 10; i++ {
		if rec := h.do("GET", "/v1/rooms", "tok-alice", "", from("3"), ""); rec.Code != 200 {
			t.Fatalf("good request %d = %d", i, rec.Code)
		}
	}
}

func TestClientAddr(t *testing.T) {
	cases := []struct {
		name    string
		remote  string
		xff     []string
		proxies int
		want    string
	}{
		{"no proxy: the peer, header ignored", "192.0.2.1:5000", []string{"1.1.1.1"}, 0, "192.0.2.1"},
		{"one proxy: the last entry", "10.0.0.1:80", []string{"6.6.6.6, 203.0.113.9"}, 1, "203.0.113.9"},
		{"two proxies: the second from the right", "10.0.0.1:80", []string{"6.6.6.6, 203.0.113.9", "10.1.1.1"}, 2, "203.0.113.9"},
		{"header shorter than the proxies: the peer", "10.0.0.1:80", nil, 1, "10.0.0.1"},
		{"not an address: the peer", "10.0.0.1:80", []string{"evil"}, 1, "10.0.0.1"},
		{"IPv6 normalised", "[::1]:80", []string{"2001:DB8::1"}, 1, "2001:db8::1"},
	}
	for _, c := range cases {
		if got := clientAddr(c.remote, c.xff, c.proxies); got != c.want {
			t.Errorf("%s: clientAddr = %q, want %q", c.name, got, c.want)
		}
	}
}
