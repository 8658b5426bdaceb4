package rooms

// firestore_invites_list.go implements InviteStore.ListInvites on Cloud
// Firestore with one composite index (InviteListIndex), shipped in
// firestore.indexes.json.

import (
	"context"

	"cloud.google.com/go/firestore"
)

// InviteListIndex is the composite index of the invite listing query on
// the invites collection, in field order, all ascending: equality on
// roomId and revoked, a range on expiresAt, then inviteId as tie-break.
// firestore.indexes.json must carry it (test/deploy checks).
var InviteListIndex = []string{"roomId", "revoked", "expiresAt", "inviteId"}

// ListInvites implements InviteStore. It runs in one read-only
// transaction: the caller's role, then batches of non-revoked, unexpired
// invites in (expiresAt, inviteId) order, dropping the used-up ones and
// those whose creator lost their role, until the page is full, the
// invites run out or MaxInviteScan documents were read. The document ID
// (the token's digest) is never read into the result nor the cursor.
func (s *FirestoreStore) ListInvites(ctx context.Context, p ListInvitesParams) ([]Invite, *InviteCursor, error) {
	var (
		out  []Invite
		next *InviteCursor
	)
	err := s.Client.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		out, next = nil, nil
		_, role, err := s.roomAndRole(tx, p.RoomID, p.Actor.UID)
		if err != nil {
			return err
		}
		if err := mayListInvites(role); err != nil {
			return err
		}
		roles := map[string]Role{}
		pos := p.After
		// A fixed batch, not limit+1: with a small page and many dead
		// invites, limit+1 would cost up to MaxInviteScan/2 sequential
		// queries; MaxPageSize+1 bounds it to a handful.
		batch := MaxPageSize + 1
		for scanned := 0; ; {
			q := s.Client.Collection(InvitesCollection).
				Where("roomId", "==", p.RoomID).Where("revoked", "==", false).Where("expiresAt", ">", p.Now).
				OrderBy("expiresAt", firestore.Asc).OrderBy("inviteId", firestore.Asc).Limit(batch)
			if pos != nil {
				q = q.StartAfter(pos.ExpiresAt, pos.InviteID)
			}
			docs, err := tx.Documents(q).GetAll()
			if err != nil {
				return err
			}
			invs := make([]Invite, len(docs))
			for i, d := range docs {
				var x inviteDoc
				if err := d.DataTo(&x); err != nil {
					return err
				}
				invs[i] = x.invite()
			}
			if err := s.creatorRoles(tx, p.RoomID, invs, roles); err != nil {
				return err
			}
			for _, inv := range invs {
				scanned++
				pos = &InviteCursor{ExpiresAt: inv.ExpiresAt, InviteID: inv.ID}
				if !inviteLive(inv, roles[inv.CreatedBy], p.Now) {
					continue
				}
				if len(out) == p.Limit {
					// One more live invite than the page holds: the page
					// ends at the last one kept.
					last := out[len(out)-1]
					next = &InviteCursor{ExpiresAt: last.ExpiresAt, InviteID: last.ID}
					return nil
				}
				out = append(out, inv)
			}
			if len(docs) < batch {
				return nil
			}
			if scanned >= MaxInviteScan {
				next = pos
				return nil
			}
		}
	}, firestore.ReadOnly)
	if err != nil {
		return nil, nil, txnError(ctx, err)
	}
	return out, next, nil
}

// creatorRoles reads into roles the current role in roomID of every
// creator of invs not yet in it: "" for one no longer a member, and for
// one banned or deleted (users/{uid}), as AcceptInvite treats them, so
// the listing never shows an invite that acceptance would refuse.
func (s *FirestoreStore) creatorRoles(tx *firestore.Transaction, roomID string, invs []Invite, roles map[string]Role) error {
	var (
		uids []string
		refs []*firestore.DocumentRef
	)
	for _, inv := range invs {
		if _, ok := roles[inv.CreatedBy]; ok {
			continue
		}
		roles[inv.CreatedBy] = ""
		uids = append(uids, inv.CreatedBy)
		refs = append(refs, s.memberRef(roomID, inv.CreatedBy), s.Client.Collection(UsersCollection).Doc(inv.CreatedBy))
	}
	if len(refs) == 0 {
		return nil
	}
	snaps, err := tx.GetAll(refs)
	if err != nil {
		return err
	}
	for i := range uids {
		snap, user := snaps[2*i], snaps[2*i+1]
		if !snap.Exists() || userBanned(user) {
			continue
		}
		var m memberDoc
		if err := snap.DataTo(&m); err != nil {
			return err
		}
		roles[uids[i]] = Role(m.Role)
	}
	return nil
}
