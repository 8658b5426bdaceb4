package rules

import (
	"context"
	"fmt"
	"testing"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestUnreadCount walks the read-marker flow as a client does it: bob
// marks the room read, alice sends two messages, bob reads his marker and
// counts the messages after it (a COUNT aggregation under the messages
// list rule), marks read again and counts none. A non-member's count is
// denied.
func TestUnreadCount(t *testing.T) {
	ctx := context.Background()
	h := suite
	if err := h.prepare(ctx, state{}); err != nil {
		t.Fatal(err)
	}
	defer func() { h.seeded = "" }()
	bobC, err := h.as(bob)
	if err != nil {
		t.Fatal(err)
	}
	aliceC, err := h.as(alice)
	if err != nil {
		t.Fatal(err)
	}
	marker := bobC.Doc(readPath(roomA, "bob"))
	markRead := func() {
		t.Helper()
		if _, err := marker.Set(ctx, map[string]any{"lastReadAt": firestore.ServerTimestamp}); err != nil {
			t.Fatalf("bob marks the room read: %v", err)
		}
	}
	unread := func(c *firestore.Client) (int64, error) {
		snap, err := marker.Get(ctx)
		if err != nil {
			return 0, err
		}
		after, ok := snap.Data()["lastReadAt"].(time.Time)
		if !ok {
			t.Fatalf("lastReadAt is %T, want a timestamp", snap.Data()["lastReadAt"])
		}
		q := c.Collection(msgsPath(roomA)).Where("createdAt", ">", after)
		res, err := q.NewAggregationQuery().WithCount("unread").Get(ctx)
		if err != nil {
			return 0, err
		}
		n, ok := res["unread"].(interface{ GetIntegerValue() int64 })
		if !ok {
			t.Fatalf("count result is %T", res["unread"])
		}
		return n.GetIntegerValue(), nil
	}

	markRead()
	m, err := h.admin.Doc(readPath(roomA, "bob")).Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lastRead, ok := m.Data()["lastReadAt"].(time.Time)
	if !ok {
		t.Fatalf("lastReadAt is %T, want a timestamp", m.Data()["lastReadAt"])
	}
	// Server timestamps have a finite precision (milliseconds on the
	// emulators), so a message sent right after the marker may carry the
	// same time; it then counts as read. alice sends until two messages
	// are strictly newer than the marker, however many that takes.
	for newer, sent := 0, 0; newer < 2; sent++ {
		ref, _, err := aliceC.Collection(msgsPath(roomA)).Add(ctx, newMsg("alice", fmt.Sprintf("message %d", sent)))
		if err != nil {
			t.Fatalf("alice sends: %v", err)
		}
		stored, err := h.admin.Doc(msgPath(roomA, ref.ID)).Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if at, _ := stored.Data()["createdAt"].(time.Time); at.After(lastRead) {
			newer++
		}
	}
	if n, err := unread(bobC); err != nil || n != 2 {
		t.Fatalf("bob's unread count after two newer messages: %d, %v; want 2", n, err)
	}
	markRead()
	if n, err := unread(bobC); err != nil || n != 0 {
		t.Fatalf("bob's unread count after marking read: %d, %v; want 0", n, err)
	}

	carolC, err := h.as(carol)
	if err != nil {
		t.Fatal(err)
	}
	q := carolC.Collection(msgsPath(roomA)).Where("createdAt", ">", t0)
	_, err = q.NewAggregationQuery().WithCount("unread").Get(ctx)
	if status.Code(err) != codes.PermissionDenied {
		t.Fatalf("non-member's unread count: %v, want PermissionDenied", err)
	}
}
