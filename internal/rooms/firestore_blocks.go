package rooms

// firestore_blocks.go reads user blocks (users/{uid}/blocks/{other},
// written by internal/moderation) inside room transactions: no direct
// room, add or invite acceptance may bring together two users when either
// has blocked the other.

import (
	"sort"

	"cloud.google.com/go/firestore"

	"github.com/roomgate/roomgate/internal/schema"
)

func (s *FirestoreStore) blockRef(blocker, blocked string) *firestore.DocumentRef {
	return s.Client.Collection(UsersCollection).Doc(blocker).Collection(schema.Blocks).Doc(blocked)
}

// blockedAmong returns the uids among uids that actor has blocked or that
// have blocked actor, sorted, reading both directions inside tx.
func (s *FirestoreStore) blockedAmong(tx *firestore.Transaction, actor string, uids []string) ([]string, error) {
	if len(uids) == 0 {
		return nil, nil
	}
	refs := make([]*firestore.DocumentRef, 0, 2*len(uids))
	for _, u := range uids {
		refs = append(refs, s.blockRef(actor, u), s.blockRef(u, actor))
	}
	snaps, err := tx.GetAll(refs)
	if err != nil {
		return nil, err
	}
	var out []string
	for i, u := range uids {
		if snaps[2*i].Exists() || snaps[2*i+1].Exists() {
			out = append(out, u)
		}
	}
	sort.Strings(out)
	return out, nil
}

// checkNotBlocked refuses (as UnavailableMembersError, exactly like a
// missing or banned user, so the answer does not reveal who blocked
// whom) uids between whom and actor there is a block.
func (s *FirestoreStore) checkNotBlocked(tx *firestore.Transaction, actor string, uids []string) error {
	blocked, err := s.blockedAmong(tx, actor, uids)
	if err != nil {
		return err
	}
	if len(blocked) > 0 {
		return &UnavailableMembersError{UIDs: blocked}
	}
	return nil
}
