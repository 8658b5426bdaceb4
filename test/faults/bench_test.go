package faults_test

import (
	"testing"
	"time"
)

// BenchmarkDeleteRoomWith100kMessages deletes a room holding 100,000
// messages through the service and sweeps it, on loopback against the
// embedded emulators (no faults). It reports how long the DELETE took
// (answered once the tombstone is committed, so well inside the request
// timeout whatever the room holds) and how long the background sweep
// took. Run it with
//
//	go test -run '^$' -bench DeleteRoomWith100k -benchtime 1x ./test/faults/
//
// Seeding the messages is not timed. The figures are for reading, not
// asserted.
func BenchmarkDeleteRoomWith100kMessages(b *testing.B) {
	const messages = 100_000
	c := newCluster(b)
	in := c.start(true)
	c.admit(in, "alice", "bob")
	var deleteTime, sweepTime time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		id := c.createRoom(in, "alice", "bob")
		c.seedMessages(id, messages)
		b.StartTimer()
		start := time.Now()
		if code, body := c.call(in, "DELETE", "/v1/rooms/"+id, "alice", "", nil); code != 204 {
			b.Fatalf("DELETE = %d %s", code, body)
		}
		answered := time.Now()
		waitUpTo(b, "the sweep", 15*time.Minute, func() bool { return c.tombstones() == 0 })
		deleteTime += answered.Sub(start)
		sweepTime += time.Since(answered)
		b.StopTimer()
		if n := c.messages(id); n != 0 {
			b.Fatalf("%d messages left", n)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(deleteTime.Milliseconds())/float64(b.N), "delete-ms/op")
	b.ReportMetric(sweepTime.Seconds()/float64(b.N), "sweep-s/op")
}
