package devstack

// listener.go is a real-time query listener that stamps each snapshot with
// the time it arrived.

import (
	"context"
	"fmt"
	"time"

	"cloud.google.com/go/firestore"
)

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
