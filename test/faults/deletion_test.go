package faults_test

import (
	"testing"
	"time"
)

// TestDeletionResumesAfterTheInstanceDies: the instance that answers the
// DELETE dies before sweeping anything. The room is gone for everyone at
// once (GET and a second DELETE: 404), its messages are held by the
// tombstone, not orphaned, and the next instance to start finishes.
func TestDeletionResumesAfterTheInstanceDies(t *testing.T) {
	c := newCluster(t)
	a := c.start(false)
	c.admit(a, "alice", "bob")
	id := c.createRoom(a, "alice", "bob")
	c.seedMessages(id, 1000)

	if code, body := c.call(a, "DELETE", "/v1/rooms/"+id, "alice", "", nil); code != 204 {
		t.Fatalf("DELETE = %d %s", code, body)
	}
	a.crash()
	s := c.check(false)
	if s.messages[id] != 1000 || !s.tombstones[id] {
		t.Fatalf("after the crash: %d messages, tombstone %v", s.messages[id], s.tombstones[id])
	}

	b := c.start(true)
	if code, _ := c.call(b, "GET", "/v1/rooms/"+id, "bob", "", nil); code != 404 {
		t.Fatalf("GET after delete = %d", code)
	}
	if code, _ := c.call(b, "DELETE", "/v1/rooms/"+id, "alice", "", nil); code != 404 {
		t.Fatalf("second DELETE = %d", code)
	}
	c.settle(t)
	if n := c.messages(id); n != 0 {
		t.Fatalf("%d messages left", n)
	}
}

// TestDeletionResumesAfterFirestoreIsCutMidSweep: the messages are being
// deleted when Firestore becomes unreachable and the instance dies
// (holding the sweep's lease). The client's DELETE may have been answered
// or not; its retry is a 404 either way. Once Firestore is back another
// instance takes over when the lease has run out, and no message is left
// behind.
func TestDeletionResumesAfterFirestoreIsCutMidSweep(t *testing.T) {
	c := newCluster(t)
	a := c.start(true)
	c.admit(a, "alice", "bob")
	id := c.createRoom(a, "alice", "bob")
	const n = 4000
	c.seedMessages(id, n)

	c.fsProxy.SetDelay(20 * time.Millisecond) // slow, so the cut lands mid-sweep
	answered := make(chan int, 1)
	go func() {
		code, _ := c.call(a, "DELETE", "/v1/rooms/"+id, "alice", "", nil)
		answered <- code
	}()
	waitFor(t, "the sweep to start", func() bool { return c.messages(id) < n })
	c.fsProxy.Down()
	a.crash()
	code := <-answered
	if left := c.messages(id); left == 0 {
		t.Fatalf("every message was deleted before the cut: the scenario did not happen")
	}
	if code != 204 {
		t.Logf("the DELETE was not answered 204 but %d (a retry follows)", code)
	}
	c.check(false)

	c.fsProxy.SetDelay(0)
	c.fsProxy.Up()
	b := c.start(true)
	if code, _ := c.call(b, "DELETE", "/v1/rooms/"+id, "alice", "", nil); code != 404 {
		t.Fatalf("retried DELETE = %d", code)
	}
	c.settle(t)
}

// TestTheLastOneOutLeavesATombstoneToo: a room deleted by its last member
// leaving, on an instance that dies at once, is swept by the next one.
func TestTheLastOneOutLeavesATombstoneToo(t *testing.T) {
	c := newCluster(t)
	a := c.start(false)
	c.admit(a, "alice")
	id := c.createRoom(a, "alice")
	c.seedMessages(id, 450)
	if code, body := c.call(a, "DELETE", "/v1/rooms/"+id+"/members/alice", "alice", "", nil); code != 200 {
		t.Fatalf("leave = %d %s", code, body)
	}
	a.crash()
	if s := c.check(false); !s.tombstones[id] {
		t.Fatal("no tombstone after the last one left")
	}
	c.start(true)
	c.settle(t)
}
