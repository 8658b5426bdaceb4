package rooms

// decide.go holds the membership decisions as pure functions of what was
// read: who may add, remove or delete, whether a room is full, and what a
// removal does (last one out, ownership hand-over, the direct-room index).
// The Firestore transactions and the Service's early checks both call
// them, so each rule is written once and tested as a table
// (decide_test.go) without any storage.

// roleOf returns uid's role among ms, or "" when uid is not a member.
func roleOf(ms []Member, uid string) Role {
	for _, m := range ms {
		if m.UID == uid {
			return m.Role
		}
	}
	return ""
}

// mayAdd decides whether a caller whose role in a room of kind is role
// ("" for a non-member) may add members. A non-member gets ErrNotFound (as
// for a missing room); a plain member ErrForbidden; and nobody may add to a
// direct room (ErrDirectRoomFixed). The role is checked before the kind, so
// only an owner or admin learns that a room is direct.
func mayAdd(kind Kind, role Role) error {
	switch {
	case role == "":
		return ErrNotFound
	case role != RoleOwner && role != RoleAdmin:
		return ErrForbidden
	case kind == KindDirect:
		return ErrDirectRoomFixed
	}
	return nil
}

// fitsCap decides whether adding n members to a room of count members
// stays within max (owner included).
func fitsCap(count, n, max int) error {
	if count+n > max {
		return ErrMemberCap
	}
	return nil
}

// mayRemove decides whether actor (role actorRole, "" for a non-member)
// may remove target (role targetRole, "" for a non-member). Anyone may
// leave; the owner may remove anyone; an admin may remove plain members;
// force (a ban) skips the actor's checks. A non-member actor gets
// ErrNotFound; a target who is not a member ErrMemberNotFound, which the
// actor (a member) may learn. An admin removing a non-member is told
// ErrMemberNotFound, as an owner is: the member list is theirs to read.
func mayRemove(actor, target string, actorRole, targetRole Role, force bool) error {
	if !force {
		if actorRole == "" {
			return ErrNotFound
		}
		if actor != target {
			switch {
			case actorRole == RoleOwner:
			case actorRole == RoleAdmin && (targetRole == "" || targetRole == RoleMember):
			default:
				return ErrForbidden
			}
		}
	}
	if targetRole == "" {
		return ErrMemberNotFound
	}
	return nil
}

// mayDelete decides whether a caller with role ("" for a non-member) may
// delete the room: only its owner may.
func mayDelete(role Role) error {
	switch role {
	case "":
		return ErrNotFound
	case RoleOwner:
		return nil
	}
	return ErrForbidden
}

// removal is what removing one member does to a room.
type removal struct {
	// RoomDeleted: the target was the last member, so the room goes.
	RoomDeleted bool
	// Remaining is the member count afterwards.
	Remaining int
	// NewOwner is the member who becomes owner because the owner left and
	// others remain (the zero Member otherwise).
	NewOwner Member
}

// planRemoval decides what removing target from members ms (sorted by
// sortMembers, target among them) does: the last one out deletes the
// room; when the owner goes and others remain, the longest-standing admin,
// else the longest-standing member, becomes owner.
func planRemoval(ms []Member, target string) removal {
	r := removal{Remaining: len(ms) - 1}
	if r.Remaining <= 0 {
		r.RoomDeleted, r.Remaining = true, 0
		return r
	}
	if roleOf(ms, target) == RoleOwner {
		r.NewOwner = successor(ms, target)
	}
	return r
}

// successor picks the next owner among ms (sorted by sortMembers: admins
// before members, then by join time), skipping the leaving uid.
func successor(ms []Member, leaving string) Member {
	for _, m := range ms {
		if m.UID != leaving {
			return m
		}
	}
	return Member{}
}

// directIndexKey is the direct-room index key to drop when a room with
// members ms loses a member or is deleted, or "" when there is none to
// drop: only a direct room that still has both of its pair has one. (The
// caller still checks that the index points at this room, not at a newer
// room of the same pair.) Dropping it lets the pair get a fresh room next
// time instead of a half-empty one.
func directIndexKey(kind Kind, ms []Member) string {
	if kind != KindDirect || len(ms) != 2 {
		return ""
	}
	return DirectKey(ms[0].UID, ms[1].UID)
}
