// Package rooms is the chat-room domain: creating rooms, membership,
// listing and deletion.
//
// Service holds the rules that do not need storage (input validation,
// permissions, timestamps, IDs) and calls a Store, an interface defined here
// by its consumer. Input is validated once, by the Parse functions, into
// the request types of request.go that the Service's methods require. firestore.go implements Store with
// cloud.google.com/go/firestore; every change runs in one transaction that
// also writes its audit record, so a room, its member documents, the
// members' index documents (users/{uid}/rooms/{roomId}) and memberCount
// never disagree.
//
// Deleting a room (by its owner, or by the last member leaving) commits a
// tombstone with the room's transaction; the messages are then swept in
// the background by a Sweeper, which every instance runs and which resumes
// the deletions a crashed instance left (deletion.go, sweeper.go).
//
// Errors are the sentinels and types in errors.go; internal/api maps them
// to HTTP statuses. A caller who is not a member of a room gets ErrNotFound,
// exactly as for a room that does not exist.
package rooms

import (
	"time"

	"github.com/roomgate/roomgate/internal/schema"
)

// Kind is a room's kind.
type Kind string

// The room kinds.
const (
	KindGroup  Kind = schema.KindGroup
	KindDirect Kind = schema.KindDirect
)

// Role is a member's role in a room.
type Role string

// The member roles.
const (
	RoleOwner  Role = schema.RoomRoleOwner
	RoleAdmin  Role = schema.RoomRoleAdmin
	RoleMember Role = schema.RoomRoleMember
)

// Room is a room with its members.
type Room struct {
	ID          string
	Title       string
	Kind        Kind
	CreatedBy   string
	CreatedAt   time.Time
	MemberCount int
	// PushPreview is whether pushes of the room's messages show its title
	// and the start of the text (see Management.SetPushPreview).
	PushPreview bool
	// Members is sorted by join time, then uid. It may be nil when the
	// caller asked only for the room.
	Members []Member
}

// Member is one member document.
type Member struct {
	UID      string
	Role     Role
	AddedBy  string
	JoinedAt time.Time
}

// Entry is one document of a user's room index, users/{uid}/rooms/{roomId}.
type Entry struct {
	RoomID   string
	Title    string
	Kind     Kind
	Role     Role
	JoinedAt time.Time
}

// Page is one page of a user's rooms. Next is empty on the last page.
type Page struct {
	Rooms []Entry
	Next  string
}

// Actor is who makes a change, and the request it belongs to (for audit).
type Actor struct {
	UID       string
	RequestID string
}

// CreateRequest is a room-creation request as asked; ParseCreate
// validates it into a NewRoom.
type CreateRequest struct {
	// Members are the other members; the caller is added as owner.
	Members []string
	Title   string
	Kind    Kind
}

// StoredResponse is an HTTP response remembered verbatim under an
// Idempotency-Key by an earlier version of the service, which stored the
// rendered response rather than the outcome. Records are honoured for
// their TTL, so such a record may still be replayed after an upgrade.
type StoredResponse struct {
	Status int
	Body   []byte
}

// Idempotency asks Create to remember (or replay) its outcome.
type Idempotency struct {
	// DocID names the record: a digest of the caller's uid and the key, so
	// keys of different users never collide and the key is not stored.
	DocID string
	// BodyHash is a digest of the canonical request; the same key with a
	// different body is ErrIdempotencyMismatch.
	BodyHash string
	// TTL is how long the record is honoured.
	TTL time.Duration
}

// CreateResult is the outcome of Create.
type CreateResult struct {
	Room Room
	// Created is false when a direct room between the pair already existed
	// and is returned instead.
	Created bool
	// Replayed is set when the Idempotency-Key was seen before with the
	// same body: Room and Created are the remembered outcome, exactly as
	// the first request returned them (the room may have changed since),
	// so rendering them again gives the first response.
	Replayed bool
	// Replay is set instead of Room and Created when the remembered record
	// predates outcome records and holds a rendered response (see
	// StoredResponse): it is sent verbatim.
	Replay *StoredResponse
}

// RemoveResult is the outcome of removing a member.
type RemoveResult struct {
	// RoomDeleted is true when the last member left and the room went.
	RoomDeleted bool
	// NewOwner is the uid that became owner because the owner left, or "".
	NewOwner string
}

// Limits are the configured bounds the service enforces.
type Limits struct {
	// MaxMembers caps a room's membership, owner included.
	MaxMembers int
	// MaxTitleRunes bounds a title in characters (runes).
	MaxTitleRunes int
}

// CeilingMembers is the largest member cap a deployment may configure.
// Deleting a room removes the room, every member document and every
// member's index entry in one commit (so no member can read a room that
// is gone for the others), 2 writes per member plus a few; Firestore
// documents 500 writes per commit, so the cap stops at 240.
// TestDeletingAFullRoomStaysWithinTheCommitBudget counts the writes.
const CeilingMembers = 240

// DefaultLimits are the service's defaults: 100 members, titles of up to
// 120 characters (internal/config may set others, up to CeilingMembers).
var DefaultLimits = Limits{MaxMembers: 100, MaxTitleRunes: 120}

// Listing bounds for GET /v1/rooms.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)
