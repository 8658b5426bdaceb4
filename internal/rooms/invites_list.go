package rooms

// invites_list.go lists a room's live invites for its owner and admins, so
// an app that lost an invite's public ID can still find and revoke it.
// Only live invites are listed: not revoked, not expired, with uses left
// and a creator who is still an owner or admin of the room; the others
// admit nobody and are never shown. A listed invite carries its public ID
// and bookkeeping, never its token nor the token's digest (the document
// ID): the cursor positions by expiry and public ID for that reason.

import (
	"context"
	"time"

	"github.com/roomgate/roomgate/internal/roomid"
)

// InviteCursor is a position in a room's invite listing: the last invite
// of a page. On the wire it is opaque (base64url of
// "i1.<expiresAt unix micros>.<inviteId>") and fully validated; it only
// positions a query inside a room the caller administers, so it needs no
// signature.
type InviteCursor struct {
	ExpiresAt time.Time
	InviteID  string
}

// EncodeInviteCursor renders c.
func EncodeInviteCursor(c InviteCursor) string {
	return encodePosition("i1", c.ExpiresAt, c.InviteID)
}

// DecodeInviteCursor parses a cursor made by EncodeInviteCursor, or
// returns ErrBadCursor (a room listing's cursor included).
func DecodeInviteCursor(s string) (InviteCursor, error) {
	t, id, err := decodePosition("i1", s)
	if err != nil {
		return InviteCursor{}, err
	}
	return InviteCursor{ExpiresAt: t, InviteID: id}, nil
}

// InviteListQuery is a validated invite listing request: a page size and
// where to start. Build it with ParseInviteListQuery.
type InviteListQuery struct {
	limit int
	after *InviteCursor
}

// ParseInviteListQuery validates a page size (1 to MaxPageSize) and an
// opaque cursor ("" for the first page; anything else must decode, or it
// is ErrBadCursor).
func ParseInviteListQuery(limit int, cursor string) (InviteListQuery, error) {
	if limit < 1 || limit > MaxPageSize {
		return InviteListQuery{}, invalid("limit", "must be an integer from 1 to %d", MaxPageSize)
	}
	q := InviteListQuery{limit: limit}
	if cursor != "" {
		c, err := DecodeInviteCursor(cursor)
		if err != nil {
			return InviteListQuery{}, err
		}
		q.after = &c
	}
	return q, nil
}

// InvitePage is one page of a room's live invites, soonest expiry first
// (ties by public ID). Next is empty on the last page. A page may hold
// fewer than the limit and still have a Next: a listing reads a bounded
// number of invites per request (MaxInviteScan), skipping dead ones.
type InvitePage struct {
	Invites []Invite
	Next    string
}

// MaxInviteScan bounds the invite documents one listing request reads
// (live or not), so a room full of used-up invites costs each request a
// bounded amount.
const MaxInviteScan = 5 * MaxPageSize

// ListInvitesParams is what InviteStore.ListInvites needs.
type ListInvitesParams struct {
	Actor  Actor
	RoomID string
	Now    time.Time
	Limit  int
	After  *InviteCursor
}

// List returns one page of roomID's live invites. The actor must be an
// owner or admin of the room: a plain member gets ErrForbidden and anyone
// else ErrNotFound, as for every room route.
func (s *Invites) List(ctx context.Context, actor Actor, roomID string, q InviteListQuery) (InvitePage, error) {
	if q.limit == 0 {
		return InvitePage{}, ErrNotValidated
	}
	if !roomid.Valid(roomID) {
		return InvitePage{}, invalid("id", "not a room ID")
	}
	invs, next, err := s.Store.ListInvites(ctx, ListInvitesParams{Actor: actor, RoomID: roomID, Now: s.now(), Limit: q.limit, After: q.after})
	if err != nil {
		return InvitePage{}, err
	}
	page := InvitePage{Invites: invs}
	if next != nil {
		page.Next = EncodeInviteCursor(*next)
	}
	return page, nil
}

// mayListInvites decides whether a member of role may see the room's
// invites: owners and admins, who may mint and revoke them. A non-member
// ("") hears ErrNotFound, so the room's existence is not revealed.
func mayListInvites(role Role) error {
	switch role {
	case "":
		return ErrNotFound
	case RoleOwner, RoleAdmin:
		return nil
	}
	return ErrForbidden
}

// inviteLive decides whether a stored invite is listed at now: usable
// (inviteUsable) and minted by someone still owner or admin
// (mayAcceptFrom), i.e. it would admit someone right now.
func inviteLive(inv Invite, creatorRole Role, now time.Time) bool {
	return inviteUsable(inv, now) == nil && mayAcceptFrom(creatorRole) == nil
}
