package rooms_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/roomgate/roomgate/internal/rooms"
)

// seedMessages writes n messages into room id with the admin client, in
// batches, as members would have over time.
func (e *env) seedMessages(t *testing.T, id string, n int) {
	t.Helper()
	ctx := context.Background()
	bw := e.fs.BulkWriter(ctx)
	col := e.fs.Collection("rooms").Doc(id).Collection("messages")
	for i := 0; i < n; i++ {
		if _, err := bw.Create(col.Doc(fmt.Sprintf("m%06d", i)), map[string]any{"senderId": "alice", "text": "x"}); err != nil {
			t.Fatal(err)
		}
	}
	bw.End()
	if got := e.count(t, col.Query); got != n {
		t.Fatalf("seeded %d messages, want %d", got, n)
	}
}

func (e *env) messages(t *testing.T, id string) int {
	t.Helper()
	return e.count(t, e.fs.Collection("rooms").Doc(id).Collection("messages").Query)
}

func (e *env) tombstone(t *testing.T, id string) bool {
	t.Helper()
	_, err := e.fs.Collection("deletions").Doc(id).Get(context.Background())
	return err == nil
}

// TestDeletionSurvivesACrashBeforeTheSweep: the instance that deleted the
// room dies right after the room's transaction (its Sweeper never runs).
// The room is gone for everyone at once and a second DELETE is a 404, but
// the tombstone keeps the messages accounted for, and another instance's
// sweeper finishes the job.
func TestDeletionSurvivesACrashBeforeTheSweep(t *testing.T) {
	e := start(t)
	e.users(t, "alice", "bob")
	ctx := context.Background()
	res, err := create(ctx, e.svc, actor("alice"), rooms.CreateRequest{Members: []string{"bob"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := res.Room.ID
	e.seedMessages(t, id, 950) // three chunks

	crashed := *e.svc
	crashed.Sweeper = &rooms.Sweeper{Store: e.store} // never runs: the instance dies
	if err := deleteRoom(ctx, &crashed, actor("alice"), id); err != nil {
		t.Fatal(err)
	}
	if _, err := get(ctx, e.svc, "bob", id); !errors.Is(err, rooms.ErrNotFound) {
		t.Fatalf("Get after delete: %v", err)
	}
	if err := deleteRoom(ctx, e.svc, actor("alice"), id); !errors.Is(err, rooms.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if n := e.messages(t, id); n != 950 || !e.tombstone(t, id) {
		t.Fatalf("after the crash: %d messages, tombstone %v; want 950 and a tombstone", n, e.tombstone(t, id))
	}

	// A fresh instance: its own store, nothing shared with the dead one.
	restarted := &rooms.Sweeper{Store: &rooms.FirestoreStore{Client: e.fs}}
	done, err := restarted.SweepDue(ctx)
	if err != nil || done != 1 {
		t.Fatalf("SweepDue = %d, %v; want 1 room finished", done, err)
	}
	if n := e.messages(t, id); n != 0 || e.tombstone(t, id) {
		t.Fatalf("after the sweep: %d messages, tombstone %v", n, e.tombstone(t, id))
	}
}

// TestASweepersLeaseKeepsOthersOutUntilItExpires: a sweeper dies after its
// first chunk. Another sweeper is refused while the dead one's lease runs,
// does not even see the tombstone as due, and finishes once it expired.
func TestASweepersLeaseKeepsOthersOutUntilItExpires(t *testing.T) {
	e := start(t)
	e.users(t, "alice")
	ctx := context.Background()
	res, err := create(ctx, e.svc, actor("alice"), rooms.CreateRequest{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := res.Room.ID
	e.seedMessages(t, id, 1000)
	crashed := *e.svc
	crashed.Sweeper = &rooms.Sweeper{Store: e.store}
	if err := deleteRoom(ctx, &crashed, actor("alice"), id); err != nil {
		t.Fatal(err)
	}

	// Sweeper A dies in its second chunk: its clock call there (inside the
	// transaction, before the commit) cancels its context.
	actx, die := context.WithCancel(ctx)
	calls := 0
	a := rooms.Lease{Holder: "A", TTL: time.Hour, Now: func() time.Time {
		if calls++; calls == 2 {
			die()
		}
		return time.Now()
	}}
	if err := e.store.SweepDeletion(actx, id, a); !errors.Is(err, context.Canceled) {
		t.Fatalf("A's sweep: %v, want context.Canceled", err)
	}
	if n := e.messages(t, id); n != 600 {
		t.Fatalf("%d messages after A's first chunk, want 600", n)
	}

	b := rooms.Lease{Holder: "B", TTL: time.Minute}
	if err := e.store.SweepDeletion(ctx, id, b); !errors.Is(err, rooms.ErrLeaseHeld) {
		t.Fatalf("B during A's lease: %v, want ErrLeaseHeld", err)
	}
	if ids, err := e.store.PendingDeletions(ctx, time.Now(), 10); err != nil || len(ids) != 0 {
		t.Fatalf("due during A's lease: %v %v", ids, err)
	}
	later := func() time.Time { return time.Now().Add(2 * time.Hour) }
	sb := &rooms.Sweeper{Store: e.store, Holder: "B", Now: later}
	if done, err := sb.SweepDue(ctx); err != nil || done != 1 {
		t.Fatalf("B after A's lease expired: %d, %v", done, err)
	}
	if n := e.messages(t, id); n != 0 || e.tombstone(t, id) {
		t.Fatalf("after B: %d messages, tombstone %v", n, e.tombstone(t, id))
	}
}

// TestTheSweeperRunsKicksAndLeftovers: a running Sweeper finishes a
// deletion it is kicked for, and on start the ones left from before.
func TestTheSweeperRunsKicksAndLeftovers(t *testing.T) {
	e := start(t)
	e.users(t, "alice")
	ctx := context.Background()
	var ids []string
	for i := 0; i < 2; i++ {
		res, err := create(ctx, e.svc, actor("alice"), rooms.CreateRequest{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.Room.ID)
		e.seedMessages(t, res.Room.ID, 450)
	}
	// The first room is left over from a crashed instance.
	crashed := *e.svc
	crashed.Sweeper = &rooms.Sweeper{Store: e.store}
	if err := deleteRoom(ctx, &crashed, actor("alice"), ids[0]); err != nil {
		t.Fatal(err)
	}

	w := &rooms.Sweeper{Store: e.store, Interval: time.Hour}
	live := *e.svc
	live.Sweeper = w
	rctx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- w.Run(rctx) }()
	if _, err := removeMember(ctx, &live, actor("alice"), ids[1], "alice"); err != nil { // last one out
		t.Fatal(err)
	}
	waitFor(t, func() bool { return e.count(t, e.fs.Collection("deletions").Query) == 0 })
	stop()
	if err := <-ran; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v", err)
	}
	for _, id := range ids {
		if n := e.messages(t, id); n != 0 {
			t.Fatalf("room %s: %d messages left", id, n)
		}
	}
}

// waitFor polls cond until it holds, failing after a generous minute (a
// bound on a hang, not a performance assertion).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within a minute")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
