package main

// demofirestore.go connects to the Firestore emulator the way a mobile
// client does: as one end user, with that user's Firebase ID token on every
// RPC, never with the emulator's admin ("owner") credentials.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// idTokenCreds sends "Authorization: Bearer <ID token>" on every RPC, as
// the Firebase client SDKs do. Transport security is not required because
// the emulator speaks plaintext on loopback.
type idTokenCreds string

func (t idTokenCreds) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(t)}, nil
}

func (idTokenCreds) RequireTransportSecurity() bool { return false }

// userFirestore is a Go Firestore client acting as one user.
type userFirestore struct {
	*firestore.Client
	conn *grpc.ClientConn
}

// dialAs opens a Firestore client for project at addr that authenticates
// as the holder of idToken. The gRPC connection is our own, so the admin
// credentials the Go client attaches when FIRESTORE_EMULATOR_HOST is set
// never reach this client.
func dialAs(ctx context.Context, addr, project, idToken string) (*userFirestore, error) {
	addr = strings.TrimPrefix(strings.TrimPrefix(addr, "http://"), "https://")
	conn, err := grpc.NewClient("passthrough:///"+addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(idTokenCreds(idToken)))
	if err != nil {
		return nil, fmt.Errorf("dial Firestore at %s: %w", addr, err)
	}
	c, err := firestore.NewClient(ctx, project, option.WithGRPCConn(conn))
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("new Firestore client: %w", err)
	}
	return &userFirestore{Client: c, conn: conn}, nil
}

// Close closes the client and its connection.
func (u *userFirestore) Close() {
	u.Client.Close()
	u.conn.Close()
}

// chatMessage is a message document as a client reads it.
type chatMessage struct {
	ID        string
	SenderID  string    `firestore:"senderId"`
	Text      string    `firestore:"text"`
	CreatedAt time.Time `firestore:"createdAt"`
}

// snapshotEvent is one result of a real-time listener: the messages in
// the snapshot, or the error that ended the listener, and when the
// listener got it.
type snapshotEvent struct {
	At       time.Time
	Messages []chatMessage
	Err      error
}

// listener is an open real-time query listener.
type listener struct {
	Events <-chan snapshotEvent
	cancel context.CancelFunc
	done   chan struct{}
}

// listen opens q.Snapshots and delivers each snapshot, stamped with the
// time it arrived, on Events. The listener ends after its first error (the
// Go client does not resume after one) or on Stop. Only the listener's
// goroutine touches the iterator, since Stop and Next must not race.
func listen(ctx context.Context, q firestore.Query) *listener {
	ctx, cancel := context.WithCancel(ctx)
	ch := make(chan snapshotEvent, 32)
	l := &listener{Events: ch, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		defer close(ch)
		it := q.Snapshots(ctx)
		defer it.Stop()
		for {
			snap, err := it.Next()
			ev := snapshotEvent{At: time.Now(), Err: err}
			if err == nil {
				docs, derr := snap.Documents.GetAll()
				ev.Err = derr
				for _, d := range docs {
					var m chatMessage
					if err := d.DataTo(&m); err != nil {
						ev.Err = fmt.Errorf("message %s: %w", d.Ref.ID, err)
						break
					}
					m.ID = d.Ref.ID
					ev.Messages = append(ev.Messages, m)
				}
			}
			select {
			case ch <- ev:
			case <-ctx.Done():
				return
			}
			if ev.Err != nil {
				return
			}
		}
	}()
	return l
}

// next waits up to d for the listener's next event.
func (l *listener) next(d time.Duration) (snapshotEvent, error) {
	select {
	case ev, ok := <-l.Events:
		if !ok {
			return ev, fmt.Errorf("the listener ended without a result")
		}
		return ev, nil
	case <-time.After(d):
		return snapshotEvent{}, fmt.Errorf("no snapshot within %v", d)
	}
}

// Stop ends the listener and waits for its goroutine.
func (l *listener) Stop() {
	l.cancel()
	<-l.done
}
