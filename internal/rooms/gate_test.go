package rooms

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestRoomGateQueuesOneRoomAndNotOthers: holders of one room never
// overlap, other rooms are not held up, and the map empties afterwards.
func TestRoomGateQueuesOneRoomAndNotOthers(t *testing.T) {
	var g roomGate
	var inside, most atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			leave, err := g.enter(context.Background(), "r1")
			if err != nil {
				t.Error(err)
				return
			}
			n := inside.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(time.Millisecond)
			inside.Add(-1)
			leave()
		}()
	}
	// While r1 is busy, r2 is entered at once.
	leave, err := g.enter(context.Background(), "r2")
	if err != nil {
		t.Fatal(err)
	}
	leave()
	wg.Wait()
	if most.Load() != 1 {
		t.Fatalf("%d holders of r1 at once, want 1", most.Load())
	}
	if g.size() != 0 {
		t.Fatalf("%d rooms left in the gate", g.size())
	}
}

// TestRoomGateWaiterGivesUpWithItsContext: a waiter whose request ends
// returns the context's error and leaves no trace.
func TestRoomGateWaiterGivesUpWithItsContext(t *testing.T) {
	var g roomGate
	leave, err := g.enter(context.Background(), "r")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := g.enter(ctx, "r"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiter: %v, want deadline exceeded", err)
	}
	leave()
	if g.size() != 0 {
		t.Fatalf("%d rooms left in the gate", g.size())
	}
	// The room is free again.
	leave, err = g.enter(context.Background(), "r")
	if err != nil {
		t.Fatal(err)
	}
	leave()
}

func TestTxnErrorClassifies(t *testing.T) {
	done, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithTimeout(context.Background(), -time.Second)
	defer cancel2()
	live := context.Background()
	aborted := status.Error(codes.Aborted, "Transaction lock timeout")
	deadline := status.Error(codes.DeadlineExceeded, "context deadline exceeded")
	canceled := status.Error(codes.Canceled, "context canceled")
	for _, c := range []struct {
		ctx  context.Context
		err  error
		want error
	}{
		{live, aborted, ErrContention},
		{expired, deadline, context.DeadlineExceeded},
		{done, canceled, context.Canceled},
		// A deadline the server reports while the request still has time
		// is not the request's timeout.
		{live, deadline, deadline},
	} {
		got := txnError(c.ctx, c.err)
		if !errors.Is(got, c.want) {
			t.Errorf("txnError(%v) = %v, want %v", c.err, got, c.want)
		}
		if status.Code(got) != status.Code(c.err) {
			t.Errorf("txnError(%v) lost the gRPC status: %v", c.err, got)
		}
	}
	if txnError(live, nil) != nil {
		t.Error("nil error not nil")
	}
	if err := fmt.Errorf("x"); txnError(expired, err) != err {
		t.Error("a non-gRPC error changed")
	}
}
