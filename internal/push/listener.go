package push

import (
	"context"
	"errors"
	"sync"

	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// listenWorkers bounds concurrent fan-outs from the listener.
const listenWorkers = 8

// Listen feeds the notifier from a Firestore listener on every messages
// collection until ctx ends: the development and single-instance source.
// Messages present when it starts are not pushed (the first snapshot is
// skipped). Several instances running it would still not double-send
// (the delivery record), but each would read every message: use the
// Eventarc endpoint beyond one instance.
func Listen(ctx context.Context, client *firestore.Client, n *Notifier) error {
	it := client.CollectionGroup(MessagesCollection).Snapshots(ctx)
	defer it.Stop()
	sem := make(chan struct{}, listenWorkers)
	var wg sync.WaitGroup
	defer wg.Wait()
	first := true
	for {
		snap, err := it.Next()
		if err != nil {
			if ctx.Err() != nil || status.Code(err) == codes.Canceled || errors.Is(err, context.Canceled) {
				return nil
			}
			return err
		}
		if first {
			first = false
			continue
		}
		for _, ch := range snap.Changes {
			if ch.Kind != firestore.DocumentAdded {
				continue
			}
			ref := ch.Doc.Ref
			room := ref.Parent.Parent
			if room == nil || room.Parent.ID != RoomsCollection || room.Parent.Parent != nil {
				continue
			}
			sem <- struct{}{}
			wg.Add(1)
			go func(roomID, messageID string) {
				defer func() { <-sem; wg.Done() }()
				if _, err := n.Notify(ctx, roomID, messageID); err != nil && !errors.Is(err, ErrInProgress) {
					n.log().Error("push: notify from listener", "roomId", roomID, "messageId", messageID, "err", err)
				}
			}(room.ID, ref.ID)
		}
	}
}
