package rooms

// firestore_manage.go implements ManageStore: renaming a room, its slow
// mode and push previews, and changing room roles, each in one
// transaction that keeps the room, its member documents and the members'
// index entries in step.

import (
	"context"

	"cloud.google.com/go/firestore"

	"github.com/roomgate/roomgate/internal/audit"
	"github.com/roomgate/roomgate/internal/schema"
)

var _ ManageStore = (*FirestoreStore)(nil)

// manageRoom runs change in a transaction on roomID after checking that
// uid may manage the room's settings (mayManage) and is not banned or
// being deleted (users/{uid}, read in the transaction: a token minted
// before the ban still passes the route's checks until the ban's
// ejection reaches this room); change sees the room as read in that
// transaction.
func (s *FirestoreStore) manageRoom(ctx context.Context, roomID, uid string, change func(tx *firestore.Transaction, room Room) error) error {
	return s.runRoom(ctx, roomID, func(ctx context.Context, tx *firestore.Transaction) error {
		room, role, err := s.roomAndRole(tx, roomID, uid)
		if err != nil {
			return err
		}
		if err := mayManage(room.Kind, role); err != nil {
			return err
		}
		if err := s.checkNotBanned(tx, uid, nil); err != nil {
			return err
		}
		return change(tx, room)
	})
}

// SetTitle implements ManageStore: the room's title and every member's
// index entry (which repeats the title for listing).
func (s *FirestoreStore) SetTitle(ctx context.Context, p TitleParams) error {
	return s.manageRoom(ctx, p.RoomID, p.Actor.UID, func(tx *firestore.Transaction, room Room) error {
		if room.Title == p.Title {
			return nil
		}
		docs, err := tx.Documents(s.roomRef(p.RoomID).Collection(MembersCollection)).GetAll()
		if err != nil {
			return err
		}
		if err := tx.Update(s.roomRef(p.RoomID), []firestore.Update{{Path: "title", Value: p.Title}}); err != nil {
			return err
		}
		for _, d := range docs {
			if err := tx.Set(s.indexRef(d.Ref.ID, p.RoomID), map[string]any{"title": p.Title}, firestore.MergeAll); err != nil {
				return err
			}
		}
		return audit.Write(tx, s.Client, audit.Record{Actor: p.Actor.UID, Target: p.RoomID, Action: audit.TitleChanged,
			RequestID: p.Actor.RequestID, Time: p.Now, Details: map[string]any{"from": room.Title, "to": p.Title}})
	})
}

// SetSlowMode implements ManageStore: the room's slowModeSeconds, which
// the rules read on every message create (0 is off).
func (s *FirestoreStore) SetSlowMode(ctx context.Context, p SlowModeParams) error {
	return s.manageRoom(ctx, p.RoomID, p.Actor.UID, func(tx *firestore.Transaction, room Room) error {
		if err := tx.Update(s.roomRef(p.RoomID), []firestore.Update{{Path: schema.FieldSlowModeSeconds, Value: int64(p.Seconds)}}); err != nil {
			return err
		}
		return audit.Write(tx, s.Client, audit.Record{Actor: p.Actor.UID, Target: p.RoomID, Action: audit.SlowModeChanged,
			RequestID: p.Actor.RequestID, Time: p.Now, Details: map[string]any{"seconds": p.Seconds}})
	})
}

// SetPushPreview implements ManageStore: the room's pushPreview, which
// the notifier reads on every push. Setting the value it already has
// writes nothing (and no audit record).
func (s *FirestoreStore) SetPushPreview(ctx context.Context, p PreviewParams) error {
	return s.manageRoom(ctx, p.RoomID, p.Actor.UID, func(tx *firestore.Transaction, room Room) error {
		if room.PushPreview == p.On {
			return nil
		}
		if err := tx.Update(s.roomRef(p.RoomID), []firestore.Update{{Path: schema.FieldPushPreview, Value: p.On}}); err != nil {
			return err
		}
		return audit.Write(tx, s.Client, audit.Record{Actor: p.Actor.UID, Target: p.RoomID, Action: audit.PreviewChanged,
			RequestID: p.Actor.RequestID, Time: p.Now, Details: map[string]any{"from": room.PushPreview, "to": p.On}})
	})
}

// SetRole implements ManageStore (planRoleChange decides).
func (s *FirestoreStore) SetRole(ctx context.Context, p RoleParams) error {
	return s.runRoom(ctx, p.RoomID, func(ctx context.Context, tx *firestore.Transaction) error {
		snaps, err := tx.GetAll([]*firestore.DocumentRef{s.roomRef(p.RoomID), s.memberRef(p.RoomID, p.Actor.UID), s.memberRef(p.RoomID, p.Target)})
		if err != nil {
			return err
		}
		if !snaps[0].Exists() || !snaps[1].Exists() {
			return ErrNotFound
		}
		room, err := toRoom(snaps[0])
		if err != nil {
			return err
		}
		roleIn := func(snap *firestore.DocumentSnapshot) (Role, error) {
			if !snap.Exists() {
				return "", nil
			}
			var m memberDoc
			if err := snap.DataTo(&m); err != nil {
				return "", err
			}
			return Role(m.Role), nil
		}
		actorRole, err := roleIn(snaps[1])
		if err != nil {
			return err
		}
		targetRole, err := roleIn(snaps[2])
		if err != nil {
			return err
		}
		changes, err := planRoleChange(room.Kind, p.Actor.UID, p.Target, actorRole, targetRole, p.Role)
		if err != nil || len(changes) == 0 {
			return err
		}
		// As in manageRoom: a banned (or deleted) actor's stale token
		// changes no roles.
		if err := s.checkNotBanned(tx, p.Actor.UID, nil); err != nil {
			return err
		}
		for _, c := range changes {
			if err := tx.Update(s.memberRef(p.RoomID, c.UID), []firestore.Update{{Path: schema.FieldRole, Value: string(c.Role)}}); err != nil {
				return err
			}
			if err := tx.Set(s.indexRef(c.UID, p.RoomID), map[string]any{schema.FieldRole: string(c.Role)}, firestore.MergeAll); err != nil {
				return err
			}
		}
		if p.Role == RoleOwner {
			return audit.Write(tx, s.Client, audit.Record{Actor: p.Actor.UID, Target: p.RoomID, Action: audit.OwnerChanged,
				RequestID: p.Actor.RequestID, Time: p.Now, Details: map[string]any{"from": p.Actor.UID, "to": p.Target, "reason": "transfer"}})
		}
		return audit.Write(tx, s.Client, audit.Record{Actor: p.Actor.UID, Target: p.RoomID, Action: audit.RoleChanged,
			RequestID: p.Actor.RequestID, Time: p.Now, Details: map[string]any{"uid": p.Target, "from": string(targetRole), "to": string(p.Role)}})
	})
}
