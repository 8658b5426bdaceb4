package rooms

// firestore_invites.go implements InviteStore on Cloud Firestore: invites
// live in the server-only invites collection under the digest of their
// token.

import (
	"context"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/roomgate/roomgate/internal/audit"
	"github.com/roomgate/roomgate/internal/schema"
)

// InvitesCollection is the server-only collection of invites.
const InvitesCollection = schema.Invites

// inviteDoc is invites/{sha256(token)}. The TTL policy on expiresAt in
// firestore.indexes.json deletes expired invites.
type inviteDoc struct {
	InviteID  string    `firestore:"inviteId"`
	RoomID    string    `firestore:"roomId"`
	CreatedBy string    `firestore:"createdBy"`
	CreatedAt time.Time `firestore:"createdAt"`
	ExpiresAt time.Time `firestore:"expiresAt"`
	MaxUses   int64     `firestore:"maxUses"`
	Uses      int64     `firestore:"uses"`
	Revoked   bool      `firestore:"revoked"`
}

func (d inviteDoc) invite() Invite {
	return Invite{ID: d.InviteID, RoomID: d.RoomID, CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt.UTC(),
		ExpiresAt: d.ExpiresAt.UTC(), MaxUses: int(d.MaxUses), Uses: int(d.Uses), Revoked: d.Revoked}
}

var _ InviteStore = (*FirestoreStore)(nil)

func (s *FirestoreStore) inviteRef(digest string) *firestore.DocumentRef {
	return s.Client.Collection(InvitesCollection).Doc(digest)
}

// CreateInvite implements InviteStore.
func (s *FirestoreStore) CreateInvite(ctx context.Context, p CreateInviteParams) error {
	return s.run(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		room, role, err := s.roomAndRole(tx, p.Invite.RoomID, p.Actor.UID)
		if err != nil {
			return err
		}
		if err := mayAdd(room.Kind, role); err != nil {
			return err
		}
		if err := s.checkNotBanned(tx, p.Actor.UID, nil); err != nil {
			return err
		}
		inv := p.Invite
		if err := tx.Create(s.inviteRef(p.TokenDigest), inviteDoc{
			InviteID: inv.ID, RoomID: inv.RoomID, CreatedBy: inv.CreatedBy, CreatedAt: inv.CreatedAt,
			ExpiresAt: inv.ExpiresAt, MaxUses: int64(inv.MaxUses),
		}); err != nil {
			return err
		}
		return audit.Write(tx, s.Client, audit.Record{Actor: p.Actor.UID, Target: inv.RoomID, Action: audit.InviteCreated,
			RequestID: p.Actor.RequestID, Time: inv.CreatedAt,
			Details: map[string]any{"inviteId": inv.ID, "expiresAt": inv.ExpiresAt, "maxUses": inv.MaxUses}})
	})
}

// AcceptInvite implements InviteStore. The room document is written by
// every acceptance (memberCount), so acceptances and adds of one room are
// serialised and the cap holds; the invite document is written too, so
// two acceptances never both take its last use. The creator must still be
// the room's owner or admin and not banned (users/{creator}, read in the
// transaction, so it serialises with the ban).
func (s *FirestoreStore) AcceptInvite(ctx context.Context, p AcceptParams) (string, bool, error) {
	// The room is known only after the invite is read, so this
	// transaction is not queued per room (runRoom): Firestore arbitrates.
	var (
		roomID string
		joined bool
	)
	err := s.run(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		roomID, joined = "", false
		ref := s.inviteRef(p.TokenDigest)
		snap, err := tx.Get(ref)
		if status.Code(err) == codes.NotFound {
			return ErrInviteInvalid
		}
		if err != nil {
			return err
		}
		var d inviteDoc
		if err := snap.DataTo(&d); err != nil {
			return err
		}
		inv := d.invite()
		if err := inviteUsable(inv, p.Now); err != nil {
			return err
		}
		snaps, err := tx.GetAll([]*firestore.DocumentRef{s.roomRef(inv.RoomID), s.memberRef(inv.RoomID, p.Actor.UID), s.memberRef(inv.RoomID, inv.CreatedBy),
			s.Client.Collection(UsersCollection).Doc(inv.CreatedBy)})
		if err != nil {
			return err
		}
		if !snaps[0].Exists() {
			return ErrInviteInvalid
		}
		room, err := toRoom(snaps[0])
		if err != nil {
			return err
		}
		// A creator banned (or deleted) meanwhile counts as one who lost
		// the role: the invite is dead at once, not only once the ban's
		// ejection reaches the room.
		var creatorRole Role
		if snaps[2].Exists() && !userBanned(snaps[3]) {
			var m memberDoc
			if err := snaps[2].DataTo(&m); err != nil {
				return err
			}
			creatorRole = Role(m.Role)
		}
		if err := mayAcceptFrom(creatorRole); err != nil {
			return err
		}
		if err := s.checkNotBanned(tx, p.Actor.UID, nil); err != nil {
			return err
		}
		if snaps[1].Exists() {
			// Already in: the room, no use consumed.
			roomID = inv.RoomID
			return nil
		}
		if room.Kind != KindGroup {
			return ErrInviteInvalid
		}
		blocked, err := s.blockedAmong(tx, p.Actor.UID, []string{inv.CreatedBy})
		if err != nil {
			return err
		}
		if len(blocked) > 0 {
			return ErrInviteInvalid
		}
		if err := fitsCap(room.MemberCount, 1, p.MaxMembers); err != nil {
			return err
		}

		// All reads done; write.
		if err := s.writeMember(tx, room, Member{UID: p.Actor.UID, Role: RoleMember, AddedBy: inv.CreatedBy, JoinedAt: p.Now}); err != nil {
			return err
		}
		if err := tx.Update(s.roomRef(inv.RoomID), []firestore.Update{{Path: schema.FieldMemberCount, Value: int64(room.MemberCount + 1)}}); err != nil {
			return err
		}
		if err := tx.Update(ref, []firestore.Update{{Path: "uses", Value: int64(inv.Uses + 1)}}); err != nil {
			return err
		}
		roomID, joined = inv.RoomID, true
		return audit.Write(tx, s.Client, audit.Record{Actor: p.Actor.UID, Target: inv.RoomID, Action: audit.InviteAccepted,
			RequestID: p.Actor.RequestID, Time: p.Now, Details: map[string]any{"inviteId": inv.ID, "invitedBy": inv.CreatedBy}})
	})
	return roomID, joined, err
}

// RevokeInvite implements InviteStore. The caller's right to add members
// is checked before the invite is looked up, so a non-member learns
// nothing about the room's invites.
func (s *FirestoreStore) RevokeInvite(ctx context.Context, p RevokeParams) error {
	return s.run(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		room, role, err := s.roomAndRole(tx, p.RoomID, p.Actor.UID)
		if err != nil {
			return err
		}
		if err := mayAdd(room.Kind, role); err != nil {
			return err
		}
		docs, err := tx.Documents(s.Client.Collection(InvitesCollection).Where("inviteId", "==", p.InviteID).Limit(1)).GetAll()
		if err != nil {
			return err
		}
		if len(docs) == 0 {
			return ErrInviteNotFound
		}
		var d inviteDoc
		if err := docs[0].DataTo(&d); err != nil {
			return err
		}
		if d.RoomID != p.RoomID {
			return ErrInviteNotFound
		}
		if d.Revoked {
			return nil
		}
		if err := tx.Update(docs[0].Ref, []firestore.Update{{Path: "revoked", Value: true}}); err != nil {
			return err
		}
		return audit.Write(tx, s.Client, audit.Record{Actor: p.Actor.UID, Target: p.RoomID, Action: audit.InviteRevoked,
			RequestID: p.Actor.RequestID, Time: p.Now, Details: map[string]any{"inviteId": p.InviteID}})
	})
}
