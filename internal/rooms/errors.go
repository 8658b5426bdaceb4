package rooms

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. internal/api/errors.go maps each to a status and a
// stable problem code.
var (
	// ErrNotFound: the room does not exist or the caller is not a member.
	// The two cases are deliberately indistinguishable.
	ErrNotFound = errors.New("rooms: room not found")
	// ErrMemberNotFound: the room exists (the caller is in it) but the
	// target uid is not a member.
	ErrMemberNotFound = errors.New("rooms: member not found")
	// ErrForbidden: the caller is a member without the needed role.
	ErrForbidden = errors.New("rooms: insufficient room role")
	// ErrActorBanned: the caller is banned (users/{uid}.banned), though
	// their token does not say so yet: a ban landed after it was checked.
	ErrActorBanned = errors.New("rooms: caller is banned")
	// ErrMemberCap: the change would take the room past its member cap.
	ErrMemberCap = errors.New("rooms: member cap reached")
	// ErrDirectRoomFixed: direct rooms have exactly two members.
	ErrDirectRoomFixed = errors.New("rooms: a direct room's membership is fixed")
	// ErrIdempotencyMismatch: the Idempotency-Key was used with another body.
	ErrIdempotencyMismatch = errors.New("rooms: idempotency key reused with a different request")
	// ErrBadCursor: the listing cursor is malformed.
	ErrBadCursor = errors.New("rooms: malformed cursor")
	// ErrContention: a transaction kept conflicting; the client may retry.
	ErrContention = errors.New("rooms: too much contention, retry")
)

// InvalidError is a request that breaks a validation rule. Field names the
// JSON field (or path parameter).
type InvalidError struct {
	Field  string
	Reason string
}

func (e *InvalidError) Error() string { return fmt.Sprintf("rooms: invalid %s: %s", e.Field, e.Reason) }

func invalid(field, format string, a ...any) error {
	return &InvalidError{Field: field, Reason: fmt.Sprintf(format, a...)}
}

// UnavailableMembersError lists requested members that cannot be added:
// they do not exist, are disabled or are banned. The three cases are not
// told apart, so the API does not reveal another user's ban or status.
type UnavailableMembersError struct {
	UIDs []string
}

func (e *UnavailableMembersError) Error() string {
	return "rooms: members unavailable: " + strings.Join(e.UIDs, ", ")
}
