package push

import (
	"context"

	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Mutes stores per-member mutes: rooms/{roomId}/pushMutes/{uid}.
type Mutes struct {
	Client *firestore.Client
}

// Set mutes (muted) or unmutes roomID for uid. A caller who is not a
// member gets ErrNotMember, the same answer as for a room that does not
// exist. The membership is read in the transaction that writes the mute,
// and a removal deletes the mute in its own transaction, so no mute
// outlives its membership.
func (m *Mutes) Set(ctx context.Context, uid, roomID string, muted bool) error {
	room := m.Client.Collection(RoomsCollection).Doc(roomID)
	ref := room.Collection(MutesCollection).Doc(uid)
	return m.Client.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		if _, err := tx.Get(room.Collection(MembersCollection).Doc(uid)); err != nil {
			if status.Code(err) == codes.NotFound {
				return ErrNotMember
			}
			return err
		}
		if !muted {
			return tx.Delete(ref)
		}
		return tx.Set(ref, map[string]any{"mutedAt": firestore.ServerTimestamp})
	})
}

// muted returns the uids that muted roomID.
func (m *Mutes) muted(ctx context.Context, roomID string) (map[string]bool, error) {
	docs, err := m.Client.Collection(RoomsCollection).Doc(roomID).Collection(MutesCollection).Select().Documents(ctx).GetAll()
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(docs))
	for _, s := range docs {
		out[s.Ref.ID] = true
	}
	return out, nil
}
