package rooms_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"cloud.google.com/go/firestore"
	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc"

	"github.com/roomgate/roomgate/emulator/emutest"
	"github.com/roomgate/roomgate/emulator/emutest/emuclient"
	"github.com/roomgate/roomgate/internal/rooms"
)

// commitBudget is Firestore's budget of writes per commit, which every
// transaction of the package keeps to.
const commitBudget = 500

// commitCounter records the largest number of writes one Commit carried,
// seen on the client's connection, so the count holds whatever the server.
type commitCounter struct {
	mu  sync.Mutex
	max int
}

func (c *commitCounter) intercept(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	if r, ok := req.(*firestorepb.CommitRequest); ok {
		c.mu.Lock()
		c.max = max(c.max, len(r.Writes))
		c.mu.Unlock()
	}
	return invoker(ctx, method, req, reply, cc, opts...)
}

func (c *commitCounter) reset() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.max
	c.max = 0
	return n
}

// TestDeletingAFullRoomStaysWithinTheCommitBudget: a room at the default
// member cap, every member with a push mute, read marker, typing indicator
// and posting record (and a former member's kept posting record), is
// deleted by its owner. No commit of the deletion or of its sweep carries
// more than commitBudget writes, and the sweep leaves nothing of the
// members' state.
func TestDeletingAFullRoomStaysWithinTheCommitBudget(t *testing.T) {
	emu := emutest.Start(t, emutest.RulesFile("../../firestore.rules"), emutest.Quiet())
	emu.Setenv(t)
	var counter commitCounter
	fs := emuclient.AdminClient(t, emu.FirestoreAddr, emu.ProjectID, grpc.WithChainUnaryInterceptor(counter.intercept))
	ac := emu.AdminAuth(t)
	st := &rooms.FirestoreStore{Client: fs}
	limits := rooms.DefaultLimits
	limits.MaxMembers = rooms.CeilingMembers // the largest room a deployment may configure
	svc := &rooms.Service{Store: st, Directory: &rooms.FirebaseDirectory{Auth: ac}, Limits: limits}
	e := &env{fs: fs, auth: ac, store: st, svc: svc}
	ctx := context.Background()

	capacity := limits.MaxMembers
	var members []string
	for i := 1; i < capacity; i++ {
		members = append(members, fmt.Sprintf("m%03d", i))
	}
	e.users(t, append([]string{"owner", "former"}, members...)...)
	res, err := create(ctx, svc, actor("owner"), rooms.CreateRequest{Members: append([]string{"former"}, members[:len(members)-1]...)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := res.Room.ID
	room := fs.Collection("rooms").Doc(id)
	if _, err := room.Collection("posting").Doc("former").Set(ctx, map[string]any{"lastPostAt": firestore.ServerTimestamp, "messageId": "m"}); err != nil {
		t.Fatal(err)
	}
	if _, err := removeMember(ctx, svc, actor("former"), id, "former"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := addMembers(ctx, svc, actor("owner"), id, members[len(members)-1:]); err != nil {
		t.Fatal(err)
	}
	if n := e.checkConsistent(t, id); n != capacity {
		t.Fatalf("%d members, want the cap %d", n, capacity)
	}
	bw := fs.BulkWriter(ctx)
	for _, u := range append([]string{"owner"}, members...) {
		for col, data := range map[string]map[string]any{
			"pushMutes": {"muted": true},
			"reads":     {"lastReadAt": firestore.ServerTimestamp},
			"typing":    {"expiresAt": firestore.ServerTimestamp},
			"posting":   {"lastPostAt": firestore.ServerTimestamp, "messageId": "m"},
		} {
			if _, err := bw.Set(room.Collection(col).Doc(u), data); err != nil {
				t.Fatal(err)
			}
		}
	}
	bw.End()
	e.seedMessages(t, id, 10)

	counter.reset()
	if err := deleteRoom(ctx, svc, actor("owner"), id); err != nil {
		t.Fatal(err)
	}
	if n := counter.reset(); n > commitBudget || n == 0 {
		t.Fatalf("the largest commit of the deletion and its sweep wrote %d documents, want 1..%d", n, commitBudget)
	}
	for _, col := range []string{"members", "messages", "pushMutes", "reads", "typing", "posting"} {
		if n := e.count(t, room.Collection(col).Query); n != 0 {
			t.Errorf("%s: %d docs left", col, n)
		}
	}
	if e.tombstone(t, id) {
		t.Error("the tombstone is left after the sweep")
	}
}
