package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/roomgate/roomgate/emulator/emutest"
	"github.com/roomgate/roomgate/internal/rooms"
)

// TestRunResumesDeletionsLeftBehind: a room deletion whose instance died
// before sweeping (a tombstone with its messages still there) is finished
// by the next `roomgate serve` once it starts, without any request.
func TestRunResumesDeletionsLeftBehind(t *testing.T) {
	emu := emutest.Start(t, emutest.ProjectID("demo-roomgate"), emutest.Quiet())
	fs := emu.AdminClient(t)
	ctx := context.Background()
	const room = "LeftBehindByACrash0000"
	past := time.Now().Add(-time.Hour)
	if _, err := fs.Collection(rooms.DeletionsCollection).Doc(room).Set(ctx, map[string]any{
		"requestedAt": past, "requestedBy": "alice", "reason": "deleted by owner", "leaseHolder": "", "leaseUntil": past, "swept": 0,
	}); err != nil {
		t.Fatal(err)
	}
	msgs := fs.Collection(rooms.RoomsCollection).Doc(room).Collection(rooms.MessagesCollection)
	for i := 0; i < 3; i++ {
		if _, _, err := msgs.Add(ctx, map[string]any{"senderId": "alice", "text": "x"}); err != nil {
			t.Fatal(err)
		}
	}

	stop := startRun(t, emu, map[string]string{"ROOMGATE_ADDR": freeAddr(t)})
	deadline := time.Now().Add(time.Minute) // a bound on a hang, not a performance check
	for {
		left, err := msgs.Documents(ctx).GetAll()
		if err != nil {
			t.Fatal(err)
		}
		_, terr := fs.Collection(rooms.DeletionsCollection).Doc(room).Get(ctx)
		if len(left) == 0 && terr != nil {
			break
		}
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("not swept: %d messages, tombstone read error %v", len(left), terr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
}
