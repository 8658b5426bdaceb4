package api

import (
	"net/http/httptest"
	"testing"
)

// BenchmarkAuthenticatedRequest is the service's own overhead per
// authenticated request: routing, request ID, metrics, logging (discarded),
// bearer parsing, the (fake, in-memory) verifier, the rate limiter, the
// admission check, path validation and JSON encoding of a 1-member room.
// Firestore and Firebase Auth are not involved.
func BenchmarkAuthenticatedRequest(b *testing.B) {
	h := newHarness(b, func(d *Deps) {
		d.RateLimit = RateConfig{Rate: 1e12, Burst: 1 << 30, MutationRate: 1e12, MutationBurst: 1 << 30}
	})
	b.Run("GET room", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			req := httptest.NewRequest("GET", "/v1/rooms/"+roomA, nil)
			req.Header.Set("Authorization", "Bearer tok-alice")
			rec := httptest.NewRecorder()
			h.e.ServeHTTP(rec, req)
			if rec.Code != 200 {
				b.Fatal(rec.Code)
			}
		}
	})
	b.Run("POST room", func(b *testing.B) {
		b.ReportAllocs()
		body := `{"members":["bob","carol"],"title":"hello"}`
		for b.Loop() {
			req := httptest.NewRequest("POST", "/v1/rooms", stringsReader(body))
			req.Header.Set("Authorization", "Bearer tok-alice")
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.e.ServeHTTP(rec, req)
			if rec.Code != 201 {
				b.Fatal(rec.Code)
			}
		}
	})
}
