package rules

import (
	"context"
	"testing"

	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestBatchIsAllOrNothing: a modified client cannot smuggle a forbidden
// write (joining a room) into a batch with an allowed one (a message);
// the rules judge every write and one denial rejects the whole batch.
func TestBatchIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	h := suite
	if err := h.prepare(ctx, state{}); err != nil {
		t.Fatal(err)
	}
	defer func() { h.seeded = "" }()
	aliceC, err := h.as(alice)
	if err != nil {
		t.Fatal(err)
	}
	msg := aliceC.Collection(msgsPath(roomA)).NewDoc()
	b := aliceC.Batch()
	b.Create(msg, newMsg("alice", "welcome carol"))
	b.Set(aliceC.Doc(memberPath(roomA, "carol")), map[string]any{"role": "member", "addedBy": "alice", "joinedAt": now})
	if _, err := b.Commit(ctx); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("batch with a member write: %v, want PermissionDenied", err)
	}
	for _, p := range []string{msgsPath(roomA) + "/" + msg.ID, memberPath(roomA, "carol")} {
		if _, err := h.admin.Doc(p).Get(ctx); status.Code(err) != codes.NotFound {
			t.Errorf("%s after the denied batch: %v, want NotFound", p, err)
		}
	}

	// The allowed half alone, in a transaction that first reads the room
	// (as a client checking the room before posting), commits.
	err = aliceC.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		if _, err := tx.Get(aliceC.Doc(roomPath(roomA))); err != nil {
			return err
		}
		return tx.Create(msg, newMsg("alice", "welcome"))
	})
	if err != nil {
		t.Fatalf("transaction reading the room and posting: %v", err)
	}
	// A non-member's transaction fails at its first read.
	carolC, err := h.as(carol)
	if err != nil {
		t.Fatal(err)
	}
	err = carolC.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		_, err := tx.Get(carolC.Doc(roomPath(roomA)))
		return err
	})
	if status.Code(err) != codes.PermissionDenied {
		t.Fatalf("non-member transaction: %v, want PermissionDenied", err)
	}
}
