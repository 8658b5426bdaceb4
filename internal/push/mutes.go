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
// exist.
func (m *Mutes) Set(ctx context.Context, uid, roomID string, muted bool) error {
	room := m.Client.Collection(RoomsCollection).Doc(roomID)
	if _, err := room.Collection(MembersCollection).Doc(uid).Get(ctx); err != nil {
		if status.Code(err) == codes.NotFound {
			return ErrNotMember
		}
		return err
	}
	ref := room.Collection(MutesCollection).Doc(uid)
	if !muted {
		_, err := ref.Delete(ctx)
		return err
	}
	_, err := ref.Set(ctx, map[string]any{"mutedAt": firestore.ServerTimestamp})
	return err
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
