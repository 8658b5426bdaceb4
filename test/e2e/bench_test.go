package e2e

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkCreateRoomHTTP creates rooms end to end: HTTP request, token
// verification by the Admin SDK (which, in emulator mode, looks the user
// up in the Auth emulator), member lookup (GetUsers), one Firestore
// transaction writing room, member, index and audit documents, and the
// JSON answer. Rate limits are off; 32 users create in parallel. The
// rooms/s metric is the target (>= 500/s).
func BenchmarkCreateRoomHTTP(b *testing.B) {
	for _, members := range []int{0, 1} {
		b.Run(fmt.Sprintf("members=%d", members), func(b *testing.B) {
			s := newSuite(b, nil)
			const users = 32
			names := make([]string, users)
			for i := range names {
				names[i] = fmt.Sprintf("bench%02d", i)
			}
			s.admit(names...)
			s.user("peer", nil)
			body := `{"title":"bench"}`
			if members == 1 {
				body = `{"title":"bench","members":["peer"]}`
			}
			var next, failures atomic.Int64
			b.SetParallelism(4) // 4 × GOMAXPROCS concurrent clients
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				user := names[next.Add(1)%users]
				for pb.Next() {
					if code, _ := s.call("POST", "/v1/rooms", user, body, nil); code != 201 {
						failures.Add(1)
					}
				}
			})
			elapsed := time.Since(start)
			b.StopTimer()
			if failures.Load() > 0 {
				b.Fatalf("%d creations failed", failures.Load())
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "rooms/s")
		})
	}
}
