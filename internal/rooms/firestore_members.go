package rooms

// firestore_members.go holds the membership transactions: AddMembers,
// RemoveMember (with ownership hand-over and last-one-out deletion) and
// Delete. Both ways of deleting a room leave a tombstone for the message
// sweep (deletion.go).

import (
	"context"
	"errors"

	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/roomgate/roomgate/internal/audit"
	"github.com/roomgate/roomgate/internal/schema"
)

// AddMembers implements Store. The room document is read and written by
// every add, so concurrent adds conflict and Firestore serialises them:
// the cap check below sees the count of the previous committed add. Adds
// in this process are queued per room first (runRoom), so Firestore only
// arbitrates between instances.
func (s *FirestoreStore) AddMembers(ctx context.Context, p AddParams) ([]string, error) {
	var added []string
	err := s.runRoom(ctx, p.RoomID, func(ctx context.Context, tx *firestore.Transaction) error {
		added = nil
		room, actorRole, err := s.roomAndRole(tx, p.RoomID, p.Actor.UID)
		if err != nil {
			return err
		}
		if err := mayAdd(room.Kind, actorRole); err != nil {
			return err
		}
		refs := make([]*firestore.DocumentRef, len(p.UIDs))
		for i, u := range p.UIDs {
			refs[i] = s.memberRef(p.RoomID, u)
		}
		snaps, err := tx.GetAll(refs)
		if err != nil {
			return err
		}
		for i, snap := range snaps {
			if !snap.Exists() {
				added = append(added, p.UIDs[i])
			}
		}
		if len(added) == 0 {
			return nil
		}
		if err := fitsCap(room.MemberCount, len(added), p.MaxMembers); err != nil {
			return err
		}
		if err := s.checkNotBanned(tx, p.Actor.UID, added); err != nil {
			return err
		}
		if err := s.checkNotBlocked(tx, p.Actor.UID, added); err != nil {
			return err
		}
		for _, u := range added {
			if err := s.writeMember(tx, room, Member{UID: u, Role: RoleMember, AddedBy: p.Actor.UID, JoinedAt: p.Now}); err != nil {
				return err
			}
		}
		if err := tx.Update(s.roomRef(p.RoomID), []firestore.Update{{Path: schema.FieldMemberCount, Value: int64(room.MemberCount + len(added))}}); err != nil {
			return err
		}
		return audit.Write(tx, s.Client, audit.Record{
			Actor: p.Actor.UID, Target: p.RoomID, Action: audit.MembersAdded, RequestID: p.Actor.RequestID, Time: p.Now,
			Details: map[string]any{"uids": added},
		})
	})
	return added, err
}

// roomAndRole reads the room and the caller's role in it. A missing room
// is ErrNotFound; a non-member caller gets role "" (which mayAdd refuses
// with the same ErrNotFound).
func (s *FirestoreStore) roomAndRole(tx *firestore.Transaction, roomID, uid string) (Room, Role, error) {
	snaps, err := tx.GetAll([]*firestore.DocumentRef{s.roomRef(roomID), s.memberRef(roomID, uid)})
	if err != nil {
		return Room{}, "", err
	}
	if !snaps[0].Exists() {
		return Room{}, "", ErrNotFound
	}
	room, err := toRoom(snaps[0])
	if err != nil {
		return Room{}, "", err
	}
	if !snaps[1].Exists() {
		return room, "", nil
	}
	var m memberDoc
	if err := snaps[1].DataTo(&m); err != nil {
		return Room{}, "", err
	}
	return room, Role(m.Role), nil
}

// muteRef is rooms/{roomId}/pushMutes/{uid}, uid's push mute of the room,
// deleted with the membership.
func (s *FirestoreStore) muteRef(roomID, uid string) *firestore.DocumentRef {
	return s.roomRef(roomID).Collection(schema.PushMutes).Doc(uid)
}

// postingRef is rooms/{roomId}/posting/{uid}, uid's slow-mode posting
// record in the room.
func (s *FirestoreStore) postingRef(roomID, uid string) *firestore.DocumentRef {
	return s.roomRef(roomID).Collection(schema.Posting).Doc(uid)
}

// keptPostingRef is users/{uid}/keptPosting/{roomId}, the note that uid
// left roomID keeping a posting record there (see RemoveMember).
func (s *FirestoreStore) keptPostingRef(uid, roomID string) *firestore.DocumentRef {
	return s.Client.Collection(schema.Users).Doc(uid).Collection(schema.KeptPosting).Doc(roomID)
}

// deleteMemberState adds to tx the deletion of what uid keeps in roomID
// besides the membership: the push mute, the read marker (which the other
// members would go on seeing as "seen by") and the typing indicator and,
// when posting is set, the slow-mode posting record (and the note that
// kept it, see RemoveMember). The posting record outlives an ordinary
// leave or removal: a member who leaves and joins again (an invite link
// may be accepted many times) must not find the slow-mode pause reset. A
// ban's or an account deletion's ejection deletes it, so a deleted account
// leaves none of this behind.
func (s *FirestoreStore) deleteMemberState(tx *firestore.Transaction, roomID, uid string, posting bool) error {
	room := s.roomRef(roomID)
	refs := []*firestore.DocumentRef{s.muteRef(roomID, uid), room.Collection(schema.Reads).Doc(uid), room.Collection(schema.Typing).Doc(uid)}
	if posting {
		refs = append(refs, s.postingRef(roomID, uid), s.keptPostingRef(uid, roomID))
	}
	for _, ref := range refs {
		if err := tx.Delete(ref); err != nil {
			return err
		}
	}
	return nil
}

// RemoveMember implements Store. Who may remove whom is mayRemove; what
// the removal does (last one out, ownership hand-over) is planRemoval; the
// direct-room index entry to drop is directIndexKey. When the last member
// goes the room document goes too, and a tombstone takes its place until
// the messages are swept (deletion.go).
func (s *FirestoreStore) RemoveMember(ctx context.Context, p RemoveParams) (RemoveResult, error) {
	var (
		res RemoveResult
		// stale is set when a forced removal found only a stale index entry,
		// which the transaction deletes; the caller still hears the error.
		stale error
	)
	err := s.runRoom(ctx, p.RoomID, func(ctx context.Context, tx *firestore.Transaction) error {
		res, stale = RemoveResult{}, nil
		roomSnap, actorIn, err := s.roomAndActor(tx, p.RoomID, p.Actor.UID)
		if err != nil {
			return err
		}
		if !roomSnap.Exists() {
			if p.Force {
				stale = ErrNotFound
				return tx.Delete(s.indexRef(p.Target, p.RoomID))
			}
			return ErrNotFound
		}
		if !p.Force && !actorIn {
			// mayRemove refuses a non-member the same way; refusing here
			// spares reading the member list (see roomAndActor).
			return ErrNotFound
		}
		room, err := toRoom(roomSnap)
		if err != nil {
			return err
		}
		members, err := tx.Documents(s.roomRef(p.RoomID).Collection(MembersCollection)).GetAll()
		if err != nil {
			return err
		}
		ms, err := toMembers(members)
		if err != nil {
			return err
		}
		err = mayRemove(p.Actor.UID, p.Target, roleOf(ms, p.Actor.UID), roleOf(ms, p.Target), p.Force)
		if errors.Is(err, ErrMemberNotFound) && p.Force {
			stale = err
			return tx.Delete(s.indexRef(p.Target, p.RoomID))
		}
		if err != nil {
			return err
		}
		if !p.Force && p.Actor.UID != p.Target {
			// A banned (or deleted) actor removes no one else (leaving
			// is always allowed).
			if err := s.checkNotBanned(tx, p.Actor.UID, nil); err != nil {
				return err
			}
		}
		directRef, err := s.directRefToDrop(tx, p.RoomID, room.Kind, ms)
		if err != nil {
			return err
		}
		plan := planRemoval(ms, p.Target)
		// An ordinary leave or removal keeps the posting record (the
		// pause must survive a rejoin); a ban's or a deletion's ejection
		// (Force) and the room's end delete it. A kept record is noted
		// under the user, so that an account deletion finds it.
		dropPosting := p.Force || plan.RoomDeleted
		keepsPosting := false
		if !dropPosting {
			snap, err := tx.Get(s.postingRef(p.RoomID, p.Target))
			if err != nil && status.Code(err) != codes.NotFound {
				return err
			}
			keepsPosting = snap.Exists()
		}

		// All reads done; write.
		action := audit.MemberRemoved
		if p.Actor.UID == p.Target {
			action = audit.MemberLeft
		}
		details := map[string]any{"uid": p.Target}
		if p.Reason != "" {
			details["reason"] = p.Reason
		}
		if err := tx.Delete(s.memberRef(p.RoomID, p.Target)); err != nil {
			return err
		}
		if err := tx.Delete(s.indexRef(p.Target, p.RoomID)); err != nil {
			return err
		}
		// The member's push mute, read marker and typing indicator go
		// with the membership, the posting record only as said above.
		if err := s.deleteMemberState(tx, p.RoomID, p.Target, dropPosting); err != nil {
			return err
		}
		if keepsPosting {
			if err := tx.Set(s.keptPostingRef(p.Target, p.RoomID), map[string]any{}); err != nil {
				return err
			}
		}
		if directRef != nil {
			if err := tx.Delete(directRef); err != nil {
				return err
			}
		}
		if err := audit.Write(tx, s.Client, audit.Record{Actor: p.Actor.UID, Target: p.RoomID, Action: action, RequestID: p.Actor.RequestID, Time: p.Now, Details: details}); err != nil {
			return err
		}
		if plan.RoomDeleted {
			res.RoomDeleted = true
			if err := tx.Delete(s.roomRef(p.RoomID)); err != nil {
				return err
			}
			if err := s.writeTombstone(tx, p.RoomID, p.Actor.UID, "last member left", p.Now); err != nil {
				return err
			}
			return audit.Write(tx, s.Client, audit.Record{Actor: p.Actor.UID, Target: p.RoomID, Action: audit.RoomDeleted, RequestID: p.Actor.RequestID, Time: p.Now,
				Details: map[string]any{"reason": "last member left"}})
		}
		if err := tx.Update(s.roomRef(p.RoomID), []firestore.Update{{Path: schema.FieldMemberCount, Value: int64(plan.Remaining)}}); err != nil {
			return err
		}
		if next := plan.NewOwner; next.UID != "" {
			res.NewOwner = next.UID
			if err := tx.Update(s.memberRef(p.RoomID, next.UID), []firestore.Update{{Path: schema.FieldRole, Value: string(RoleOwner)}}); err != nil {
				return err
			}
			if err := tx.Set(s.indexRef(next.UID, p.RoomID), map[string]any{schema.FieldRole: string(RoleOwner)}, firestore.MergeAll); err != nil {
				return err
			}
			return audit.Write(tx, s.Client, audit.Record{Actor: p.Actor.UID, Target: p.RoomID, Action: audit.OwnerChanged, RequestID: p.Actor.RequestID, Time: p.Now,
				Details: map[string]any{"from": p.Target, "to": next.UID}})
		}
		return nil
	})
	if err == nil && stale != nil {
		err = stale
	}
	return res, err
}

// roomAndActor reads the room document and the actor's member document in
// one call, before anything else: a non-member is then refused with
// exactly the reads a missing room costs, and the member list (whose size
// would show in the latency) is read only for members.
func (s *FirestoreStore) roomAndActor(tx *firestore.Transaction, roomID, actor string) (*firestore.DocumentSnapshot, bool, error) {
	snaps, err := tx.GetAll([]*firestore.DocumentRef{s.roomRef(roomID), s.memberRef(roomID, actor)})
	if err != nil {
		return nil, false, err
	}
	return snaps[0], snaps[1].Exists(), nil
}

// directRefToDrop returns the direct-room index document to delete with a
// removal from (or the deletion of) room roomID, or nil: the entry
// directIndexKey names, if it still points at this room.
func (s *FirestoreStore) directRefToDrop(tx *firestore.Transaction, roomID string, kind Kind, ms []Member) (*firestore.DocumentRef, error) {
	key := directIndexKey(kind, ms)
	if key == "" {
		return nil, nil
	}
	ref := s.Client.Collection(DirectRoomsCollection).Doc(key)
	snap, err := tx.Get(ref)
	if err != nil && status.Code(err) != codes.NotFound {
		return nil, err
	}
	var d directDoc
	if snap.Exists() && snap.DataTo(&d) == nil && d.RoomID == roomID {
		return ref, nil
	}
	return nil, nil
}

// Delete implements Store. Only the owner may delete a room (mayDelete).
// The room, its members, their index entries and the direct-room entry go
// in one transaction, which also writes the tombstone that the sweep
// (deletion.go) works from; only these must change together, and they
// keep the commit at 2 writes per member plus a few (deleteWrites). The
// members' push mutes, read markers, typing indicators and posting records
// are left to the sweep, which deletes them in chunks.
func (s *FirestoreStore) Delete(ctx context.Context, p DeleteParams) error {
	return s.runRoom(ctx, p.RoomID, func(ctx context.Context, tx *firestore.Transaction) error {
		roomSnap, actorIn, err := s.roomAndActor(tx, p.RoomID, p.Actor.UID)
		if err != nil {
			return err
		}
		if !roomSnap.Exists() || !actorIn {
			// As in RemoveMember: mayDelete's refusal of a non-member,
			// before the member list is read.
			return ErrNotFound
		}
		room, err := toRoom(roomSnap)
		if err != nil {
			return err
		}
		docs, err := tx.Documents(s.roomRef(p.RoomID).Collection(MembersCollection)).GetAll()
		if err != nil {
			return err
		}
		if room.Members, err = toMembers(docs); err != nil {
			return err
		}
		if err := mayDelete(roleOf(room.Members, p.Actor.UID)); err != nil {
			return err
		}
		// A banned (or deleted) owner's stale token deletes no room: the
		// ban's ejection hands it on instead.
		if err := s.checkNotBanned(tx, p.Actor.UID, nil); err != nil {
			return err
		}
		directRef, err := s.directRefToDrop(tx, p.RoomID, room.Kind, room.Members)
		if err != nil {
			return err
		}
		for _, m := range room.Members {
			if err := tx.Delete(s.memberRef(p.RoomID, m.UID)); err != nil {
				return err
			}
			if err := tx.Delete(s.indexRef(m.UID, p.RoomID)); err != nil {
				return err
			}
		}
		if directRef != nil {
			if err := tx.Delete(directRef); err != nil {
				return err
			}
		}
		if err := tx.Delete(s.roomRef(p.RoomID)); err != nil {
			return err
		}
		if err := s.writeTombstone(tx, p.RoomID, p.Actor.UID, "deleted by owner", p.Now); err != nil {
			return err
		}
		return audit.Write(tx, s.Client, audit.Record{Actor: p.Actor.UID, Target: p.RoomID, Action: audit.RoomDeleted, RequestID: p.Actor.RequestID, Time: p.Now,
			Details: map[string]any{"members": memberUIDs(room.Members)}})
	})
}
