package rooms_test

import (
	"context"
	"errors"
	"os"
	"reflect"
	"sync"
	"testing"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

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

// ownerCreds is the emulator's admin bearer, as the Firestore client sends
// it in emulator mode.
type ownerCreds struct{}

func (ownerCreds) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer owner"}, nil
}
func (ownerCreds) RequireTransportSecurity() bool { return false }

// countingStore is a FirestoreStore whose client logs every RPC.
func countingStore(t *testing.T) (*rooms.FirestoreStore, *rpcLog) {
	t.Helper()
	log := &rpcLog{}
	conn, err := grpc.NewClient(os.Getenv("FIRESTORE_EMULATOR_HOST"),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(ownerCreds{}),
		grpc.WithUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			log.add(method)
			return invoker(ctx, method, req, reply, cc, opts...)
		}),
		grpc.WithStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
			log.add(method)
			return streamer(ctx, desc, cc, method, opts...)
		}))
	if err != nil {
		t.Fatal(err)
	}
	fs, err := firestore.NewClient(context.Background(), "demo-roomgate", option.WithGRPCConn(conn))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fs.Close() })
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
	res, err := e.svc.Create(ctx, actor("alice"), rooms.CreateRequest{Members: []string{"bob", "carol"}}, nil)
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
		{"delete room", func(id string) error { return svc.Delete(ctx, actor("mallory"), id) }},
		{"remove member", func(id string) error {
			_, err := svc.RemoveMember(ctx, actor("mallory"), id, "bob")
			return err
		}},
		{"leave", func(id string) error {
			_, err := svc.RemoveMember(ctx, actor("mallory"), id, "mallory")
			return err
		}},
		{"get", func(id string) error {
			_, err := svc.Get(ctx, "mallory", id)
			return err
		}},
		{"add members", func(id string) error {
			_, _, err := svc.AddMembers(ctx, actor("mallory"), id, []string{"carol"})
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
