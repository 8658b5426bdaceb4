package rooms

// manage.go is room management beyond membership: renaming a room, and
// room roles (the owner promotes members to room admin and back, and
// hands ownership to another member). The decisions are pure functions
// (mayManage, planRoleChange) called inside the store's transactions.

import (
	"context"
	"time"

	"github.com/roomgate/roomgate/internal/roomid"
	"github.com/roomgate/roomgate/internal/schema"
)

// TitleParams is what ManageStore.SetTitle needs.
type TitleParams struct {
	Actor  Actor
	RoomID string
	Title  string
	Now    time.Time
}

// SlowModeParams is what ManageStore.SetSlowMode needs.
type SlowModeParams struct {
	Actor   Actor
	RoomID  string
	Seconds int
	Now     time.Time
}

// PreviewParams is what ManageStore.SetPushPreview needs.
type PreviewParams struct {
	Actor  Actor
	RoomID string
	On     bool
	Now    time.Time
}

// MaxSlowModeSeconds bounds a room's slow mode (an hour between messages).
const MaxSlowModeSeconds = 3600

// RoleParams is what ManageStore.SetRole needs.
type RoleParams struct {
	Actor  Actor
	RoomID string
	Target string
	Role   Role
	Now    time.Time
}

// ManageStore persists room management changes; each method is one
// transaction with its audit record.
type ManageStore interface {
	SetTitle(ctx context.Context, p TitleParams) error
	SetSlowMode(ctx context.Context, p SlowModeParams) error
	SetPushPreview(ctx context.Context, p PreviewParams) error
	SetRole(ctx context.Context, p RoleParams) error
}

// Management is the room management use cases. Store and Rooms are
// required; a nil Now is time.Now.
type Management struct {
	Store ManageStore
	// Rooms reads the room after a change.
	Rooms  Store
	Limits Limits
	Now    func() time.Time
}

func (s *Management) now() time.Time {
	f := s.Now
	if f == nil {
		f = time.Now
	}
	return f().UTC().Truncate(time.Microsecond)
}

// ValidRoomRole reports whether r is a role a member can be given.
func ValidRoomRole(r string) bool {
	return r == schema.RoomRoleOwner || r == schema.RoomRoleAdmin || r == schema.RoomRoleMember
}

// SetTitle renames a group room (owner or room admin) and returns it.
func (s *Management) SetTitle(ctx context.Context, actor Actor, roomID, title string) (Room, error) {
	if !roomid.Valid(roomID) {
		return Room{}, invalid("id", "not a room ID")
	}
	if err := ValidateTitle(title, s.Limits.MaxTitleRunes); err != nil {
		return Room{}, err
	}
	if err := s.Store.SetTitle(ctx, TitleParams{Actor: actor, RoomID: roomID, Title: title, Now: s.now()}); err != nil {
		return Room{}, err
	}
	return s.Rooms.Get(ctx, roomID, actor.UID)
}

// SetSlowMode sets how many seconds each member must wait between two
// messages in a group room (owner or room admin; 0 turns it off) and
// returns the room. firestore.rules enforces it on the direct path: with
// slow mode on, a message must be batched with the sender's
// posting/{uid} record, which must be at least that old.
func (s *Management) SetSlowMode(ctx context.Context, actor Actor, roomID string, seconds int) (Room, error) {
	if !roomid.Valid(roomID) {
		return Room{}, invalid("id", "not a room ID")
	}
	if seconds < 0 || seconds > MaxSlowModeSeconds {
		return Room{}, invalid("slowModeSeconds", "must be 0 (off) to %d", MaxSlowModeSeconds)
	}
	if err := s.Store.SetSlowMode(ctx, SlowModeParams{Actor: actor, RoomID: roomID, Seconds: seconds, Now: s.now()}); err != nil {
		return Room{}, err
	}
	return s.Rooms.Get(ctx, roomID, actor.UID)
}

// SetPushPreview turns a group room's push previews on or off (owner or
// room admin) and returns the room. With previews off (the default) a
// push carries only {roomId, messageId} and a generic text; with them on
// it also shows the room title and the first characters of the message
// text (internal/push decides exactly what), never the sender's uid or
// name. Direct rooms cannot opt in: they have no admin, and one member
// must not decide what appears on the other's lock screen.
func (s *Management) SetPushPreview(ctx context.Context, actor Actor, roomID string, on bool) (Room, error) {
	if !roomid.Valid(roomID) {
		return Room{}, invalid("id", "not a room ID")
	}
	if err := s.Store.SetPushPreview(ctx, PreviewParams{Actor: actor, RoomID: roomID, On: on, Now: s.now()}); err != nil {
		return Room{}, err
	}
	return s.Rooms.Get(ctx, roomID, actor.UID)
}

// SetRole gives target the role (owner only; "owner" transfers ownership
// and makes the caller a room admin) and returns the room.
func (s *Management) SetRole(ctx context.Context, actor Actor, roomID, target string, role Role) (Room, error) {
	if !roomid.Valid(roomID) {
		return Room{}, invalid("id", "not a room ID")
	}
	if !schema.ValidUID(target) {
		return Room{}, invalid("uid", "not a valid uid")
	}
	if !ValidRoomRole(string(role)) {
		return Room{}, invalid("role", `must be "owner", "admin" or "member"`)
	}
	if err := s.Store.SetRole(ctx, RoleParams{Actor: actor, RoomID: roomID, Target: target, Role: role, Now: s.now()}); err != nil {
		return Room{}, err
	}
	return s.Rooms.Get(ctx, roomID, actor.UID)
}

// mayManage decides whether a caller with role may change the settings
// of a room of kind (title, slow mode, push previews): the same people
// who may add members (owner or room admin of a group room; a
// non-member hears ErrNotFound).
func mayManage(kind Kind, role Role) error {
	return mayAdd(kind, role)
}

// roleChange is one member's new role.
type roleChange struct {
	UID  string
	Role Role
}

// planRoleChange decides what giving target the role newRole does, when
// actor's role is actorRole and target's is targetRole ("" for
// non-members). Only the owner changes roles; a non-member actor hears
// ErrNotFound, a target who is not a member ErrMemberNotFound; direct
// rooms have no roles to change. Making another member owner transfers
// ownership: the old owner becomes a room admin. The owner cannot demote
// themselves (a room always has an owner): they transfer ownership
// instead. An unchanged role plans nothing.
func planRoleChange(kind Kind, actor, target string, actorRole, targetRole, newRole Role) ([]roleChange, error) {
	switch {
	case actorRole == "":
		return nil, ErrNotFound
	case actorRole != RoleOwner:
		return nil, ErrForbidden
	case kind == KindDirect:
		return nil, ErrDirectRoomFixed
	case targetRole == "":
		return nil, ErrMemberNotFound
	case targetRole == newRole:
		return nil, nil
	case actor == target:
		return nil, invalid("role", "the owner keeps the room's ownership until they make another member owner")
	case newRole == RoleOwner:
		return []roleChange{{UID: target, Role: RoleOwner}, {UID: actor, Role: RoleAdmin}}, nil
	}
	return []roleChange{{UID: target, Role: newRole}}, nil
}
