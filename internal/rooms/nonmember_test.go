package rooms_test

import (
	"context"
	"errors"
	"os"
	"reflect"
	"sync"
	"testing"

	"google.golang.org/grpc"

	"github.com/roomgate/roomgate/emulator/emutest/emuclient"
	"github.com/roomgate/roomgate/internal/rooms"
)

// rpcLog records the Firestore RPCs a client makes, in order.
type rpcLog struct {
	mu    sync.Mutex
	calls []string
}

func (l *rpcLog) add(m string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, m)
}

func (l *rpcLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.calls
	l.calls = nil
	return out
}

// countingStore is a FirestoreStore whose client (the owner's, as the
// service's is) logs every RPC.
func countingStore(t *testing.T) (*rooms.FirestoreStore, *rpcLog) {
	t.Helper()
	log := &rpcLog{}
	fs := emuclient.AdminClient(t, os.Getenv("FIRESTORE_EMULATOR_HOST"), "demo-roomgate",
		grpc.WithUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			log.add(method)
			return invoker(ctx, method, req, reply, cc, opts...)
		}),
		grpc.WithStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
			log.add(method)
			return streamer(ctx, desc, cc, method, opts...)
		}))
	return &rooms.FirestoreStore{Client: fs}, log
}

// TestNonMembersCostTheSameAsAMissingRoom: for DELETE of a room and of a
// member, a non-member's request must do exactly the Firestore work a
// request for a room that does not exist does. Reading the member list
// first (as the handlers once did) made a real room measurably slower to
// refuse than a missing one, which confirms that the ID exists.
func TestNonMembersCostTheSameAsAMissingRoom(t *testing.T) {
	e := start(t)
	e.users(t, "alice", "bob", "carol")
	ctx := context.Background()
	res, err := create(ctx, e.svc, actor("alice"), rooms.CreateRequest{Members: []string{"bob", "carol"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	store, log := countingStore(t)
	svc := &rooms.Service{Store: store, Directory: e.svc.Directory, Limits: rooms.DefaultLimits}
	const missing = "ZZZZZZZZZZZZZZZZZZZZZZ"

	for _, op := range []struct {
		name string
		do   func(roomID string) error
	}{
		{"delete room", func(id string) error { return deleteRoom(ctx, svc, actor("mallory"), id) }},
		{"remove member", func(id string) error {
			_, err := removeMember(ctx, svc, actor("mallory"), id, "bob")
			return err
		}},
		{"leave", func(id string) error {
			_, err := removeMember(ctx, svc, actor("mallory"), id, "mallory")
			return err
		}},
		{"get", func(id string) error {
			_, err := get(ctx, svc, "mallory", id)
			return err
		}},
		{"add members", func(id string) error {
			_, _, err := addMembers(ctx, svc, actor("mallory"), id, []string{"carol"})
			return err
		}},
	} {
		t.Run(op.name, func(t *testing.T) {
			log.take()
			if err := op.do(res.Room.ID); !errors.Is(err, rooms.ErrNotFound) {
				t.Fatalf("non-member: %v", err)
			}
			real := log.take()
			if err := op.do(missing); !errors.Is(err, rooms.ErrNotFound) {
				t.Fatalf("missing room: %v", err)
			}
			gone := log.take()
			if len(real) == 0 || !reflect.DeepEqual(real, gone) {
				t.Fatalf("non-member RPCs %v\nmissing-room RPCs %v", real, gone)
			}
		})
	}
}
