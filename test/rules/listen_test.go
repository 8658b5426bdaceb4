package rules

import (
	"context"
	"testing"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestListenerCutOffOnRemoval is the contract's last line: membership is
// checked with exists() on the member document, so an open listener on a
// room's messages receives messages in real time while the member
// document exists and loses access as soon as it is deleted, with the
// token unchanged.
func TestListenerCutOffOnRemoval(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h := suite
	if err := h.prepare(ctx, state{}); err != nil {
		t.Fatal(err)
	}
	defer func() { h.seeded = "" }()
	aliceC, err := h.as(alice)
	if err != nil {
		t.Fatal(err)
	}
	bobC, err := h.as(bob)
	if err != nil {
		t.Fatal(err)
	}

	it := bobC.Collection(msgsPath(roomA)).OrderBy("createdAt", firestore.Asc).Snapshots(ctx)
	defer it.Stop()
	snap, err := it.Next()
	if err != nil {
		t.Fatalf("bob's listener on his room: %v", err)
	}
	if snap.Size != 2 {
		t.Fatalf("initial snapshot has %d messages, want 2", snap.Size)
	}

	// Alice sends; bob receives it on the open listener.
	ref, _, err := aliceC.Collection(msgsPath(roomA)).Add(ctx, newMsg("alice", "are you there?"))
	if err != nil {
		t.Fatalf("alice sends: %v", err)
	}
	snap, err = it.Next()
	if err != nil {
		t.Fatalf("bob's listener after alice's message: %v", err)
	}
	if len(snap.Changes) != 1 || snap.Changes[0].Kind != firestore.DocumentAdded || snap.Changes[0].Doc.Ref.ID != ref.ID {
		t.Fatalf("bob's listener got changes %+v, want alice's message %s added", snap.Changes, ref.ID)
	}
	if got := snap.Changes[0].Doc.Data()["text"]; got != "are you there?" {
		t.Errorf("delivered text %q", got)
	}

	// The service removes bob: his listener is cut off, though his
	// token still says chat: true.
	if _, err := h.admin.Doc(memberPath(roomA, "bob")).Delete(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := aliceC.Collection(msgsPath(roomA)).Add(ctx, newMsg("alice", "bob is gone")); err != nil {
		t.Fatalf("alice sends after bob's removal: %v", err)
	}
	for {
		snap, err = it.Next()
		if err != nil {
			break
		}
		for _, ch := range snap.Changes {
			if ch.Doc.Data()["text"] == "bob is gone" {
				t.Fatal("bob's listener received a message sent after his removal")
			}
		}
	}
	if status.Code(err) != codes.PermissionDenied {
		t.Fatalf("bob's listener after removal ended with %v, want PermissionDenied", err)
	}
	// And a new listener is refused outright.
	it2 := bobC.Collection(msgsPath(roomA)).Snapshots(ctx)
	defer it2.Stop()
	if _, err := it2.Next(); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("a new listener by removed bob: %v, want PermissionDenied", err)
	}
}
