package rooms

// request.go holds the validated request types. Each has unexported fields
// and is built only by its Parse function, so a value of the type is proof
// that the input passed validation: the HTTP layer parses once, and the
// Service's methods take these types, so nothing unvalidated reaches them.
// A zero value (built without parsing) is refused with ErrNotValidated.

import (
	"errors"
	"slices"

	"github.com/roomgate/roomgate/internal/roomid"
	"github.com/roomgate/roomgate/internal/schema"
)

// ErrNotValidated is a programming error: a request type reached the
// Service without going through its Parse function (a zero value), or was
// parsed for another caller or under other Limits. It maps to a 500.
var ErrNotValidated = errors.New("rooms: request was not validated for this call")

// RoomID is a well-formed room ID (see internal/roomid).
type RoomID struct{ id string }

// ParseRoomID validates a room ID; a malformed one is an *InvalidError on
// field "id".
func ParseRoomID(s string) (RoomID, error) {
	if !roomid.Valid(s) {
		return RoomID{}, invalid("id", "a room ID is %d characters of [A-Za-z0-9]", roomid.Length)
	}
	return RoomID{id: s}, nil
}

// String is the ID ("" for the zero value).
func (r RoomID) String() string { return r.id }

// UID is a well-formed user ID (see internal/schema.ValidUID): safe to use
// as a Firestore document ID.
type UID struct{ uid string }

// ParseUID validates a uid; a malformed one is an *InvalidError on field
// "uid".
func ParseUID(s string) (UID, error) {
	if !schema.ValidUID(s) {
		return UID{}, invalid("uid", "not a valid uid")
	}
	return UID{uid: s}, nil
}

// String is the uid ("" for the zero value).
func (u UID) String() string { return u.uid }

// NewRoom is a validated room-creation request, bound to the caller and
// the Limits it was checked against.
type NewRoom struct {
	caller string
	lim    Limits
	req    CreateRequest
}

// Request returns the validated request (a copy: changing it changes
// nothing here).
func (n NewRoom) Request() CreateRequest {
	r := n.req
	r.Members = slices.Clone(n.req.Members)
	return r
}

// NewMembers is a validated add-members request, bound to the caller and
// the Limits it was checked against.
type NewMembers struct {
	caller string
	lim    Limits
	room   RoomID
	uids   []string
}

// Room is the room the members are to be added to.
func (n NewMembers) Room() RoomID { return n.room }

// UIDs returns the uids to add (a copy).
func (n NewMembers) UIDs() []string { return slices.Clone(n.uids) }

// ParseCreate validates req for caller under l. An empty Kind means
// KindGroup. The members are copied, so changing req afterwards does not
// change the validated value.
func (l Limits) ParseCreate(caller string, req CreateRequest) (NewRoom, error) {
	if req.Kind == "" {
		req.Kind = KindGroup
	}
	req.Members = slices.Clone(req.Members)
	if err := validateCreate(caller, req, l); err != nil {
		return NewRoom{}, err
	}
	return NewRoom{caller: caller, lim: l, req: req}, nil
}

// ParseAdd validates an add-members request of caller under l.
func (l Limits) ParseAdd(caller string, room RoomID, uids []string) (NewMembers, error) {
	if room.id == "" {
		return NewMembers{}, ErrNotValidated
	}
	uids = slices.Clone(uids)
	if err := validateAdd(caller, uids, l); err != nil {
		return NewMembers{}, err
	}
	return NewMembers{caller: caller, lim: l, room: room, uids: uids}, nil
}

// ListQuery is a validated listing request: a page size and where to
// start.
type ListQuery struct {
	limit int
	after *Cursor
}

// ParseListQuery validates a page size (1 to MaxPageSize) and an opaque
// cursor ("" for the first page; anything else must decode, or it is
// ErrBadCursor).
func ParseListQuery(limit int, cursor string) (ListQuery, error) {
	if limit < 1 || limit > MaxPageSize {
		return ListQuery{}, invalid("limit", "must be an integer from 1 to %d", MaxPageSize)
	}
	q := ListQuery{limit: limit}
	if cursor != "" {
		c, err := DecodeCursor(cursor)
		if err != nil {
			return ListQuery{}, err
		}
		q.after = &c
	}
	return q, nil
}

// Limit is the page size.
func (q ListQuery) Limit() int { return q.limit }

// After is the position the page starts after, and false for the first
// page.
func (q ListQuery) After() (Cursor, bool) {
	if q.after == nil {
		return Cursor{}, false
	}
	return *q.after, true
}
