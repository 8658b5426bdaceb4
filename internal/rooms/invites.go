package rooms

// invites.go is room invitations: an owner or room admin of a group room
// mints an invite token; whoever presents the token joins the room. The
// token is 256 bits from crypto/rand and is stored only as its SHA-256
// digest (the invite's document ID), so a reader of the database cannot
// join with what they read. An invite also has a public ID (for
// revocation, unrelated to the token), an expiry, a use limit and a
// revoked flag. Accepting never reveals the room before the caller is in
// it: an unknown, expired, used-up or revoked token, a room that is gone,
// a creator who lost their role and a block between the caller and the
// creator all answer ErrInviteInvalid alike.

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/roomgate/roomgate/internal/roomid"
)

// Invite errors (internal/api maps them to problem codes).
var (
	// ErrInviteInvalid: the token cannot be accepted (unknown, expired,
	// used up, revoked, room gone, creator no longer owner or admin, or a
	// block between the caller and the creator). The cases are not told
	// apart, so a token reveals nothing before it works.
	ErrInviteInvalid = errors.New("rooms: invite invalid")
	// ErrInviteNotFound: no invite with this public ID in this room (for
	// revocation, by an owner or admin of the room).
	ErrInviteNotFound = errors.New("rooms: invite not found")
)

// Invite bounds.
const (
	// InviteTokenBytes is the entropy of a token (256 bits).
	InviteTokenBytes = 32
	// DefaultInviteTTL and MaxInviteTTL are the built-in default and
	// longest lifetime of an invite (DefaultInviteLimits); MinInviteTTL is
	// the shortest lifetime ever accepted.
	DefaultInviteTTL = 7 * 24 * time.Hour
	MinInviteTTL     = time.Minute
	MaxInviteTTL     = 30 * 24 * time.Hour
	// DefaultInviteUses is one: an invite is single-use unless asked
	// otherwise (the safer default). MaxInviteUses is the built-in most.
	DefaultInviteUses = 1
	MaxInviteUses     = 1000
	// CeilingInviteTTL and CeilingInviteUses bound what an operator may
	// configure (InviteLimits.Check): an invite is a standing key to a
	// room, so it never lives longer than 90 days nor admits more than
	// 10000 people.
	CeilingInviteTTL  = 90 * 24 * time.Hour
	CeilingInviteUses = 10000
)

// InviteLimits are the operator's bounds on new invites: the lifetime and
// use count an invite gets when the request names none, and the most a
// request may ask for. The zero value means DefaultInviteLimits.
type InviteLimits struct {
	DefaultTTL  time.Duration
	MaxTTL      time.Duration
	DefaultUses int
	MaxUses     int
}

// DefaultInviteLimits are the built-in bounds: a week, one use; at most
// 30 days and 1000 uses.
var DefaultInviteLimits = InviteLimits{DefaultTTL: DefaultInviteTTL, MaxTTL: MaxInviteTTL, DefaultUses: DefaultInviteUses, MaxUses: MaxInviteUses}

// orDefault is l, or DefaultInviteLimits for the zero value.
func (l InviteLimits) orDefault() InviteLimits {
	if l == (InviteLimits{}) {
		return DefaultInviteLimits
	}
	return l
}

// Check reports whether l is a usable configuration: MinInviteTTL <=
// DefaultTTL <= MaxTTL <= CeilingInviteTTL, 1 <= DefaultUses <= MaxUses
// <= CeilingInviteUses, and whole seconds (the API speaks seconds).
func (l InviteLimits) Check() error {
	switch {
	case l.MaxTTL < MinInviteTTL || l.MaxTTL > CeilingInviteTTL || l.MaxTTL%time.Second != 0:
		return fmt.Errorf("invite max TTL %v out of range %v..%v (whole seconds)", l.MaxTTL, MinInviteTTL, CeilingInviteTTL)
	case l.DefaultTTL < MinInviteTTL || l.DefaultTTL > l.MaxTTL || l.DefaultTTL%time.Second != 0:
		return fmt.Errorf("invite default TTL %v out of range %v..%v, the max TTL (whole seconds)", l.DefaultTTL, MinInviteTTL, l.MaxTTL)
	case l.MaxUses < 1 || l.MaxUses > CeilingInviteUses:
		return fmt.Errorf("invite max uses %d out of range 1..%d", l.MaxUses, CeilingInviteUses)
	case l.DefaultUses < 1 || l.DefaultUses > l.MaxUses:
		return fmt.Errorf("invite default uses %d out of range 1..%d, the max uses", l.DefaultUses, l.MaxUses)
	}
	return nil
}

// inviteTokenLen is the length of an encoded token.
var inviteTokenLen = base64.RawURLEncoding.EncodedLen(InviteTokenBytes)

// Invite is one invitation as stored (without its token).
type Invite struct {
	ID        string
	RoomID    string
	CreatedBy string
	CreatedAt time.Time
	ExpiresAt time.Time
	MaxUses   int
	Uses      int
	Revoked   bool
}

// InviteRequest is a validated request for a new invite.
type InviteRequest struct {
	TTL     time.Duration
	MaxUses int
}

// NewInvite is a freshly minted invite with its token, which is shown
// once and never stored.
type NewInvite struct {
	Invite
	Token string
}

// AcceptResult is the outcome of accepting an invite.
type AcceptResult struct {
	Room Room
	// Joined is false when the caller already was a member (no use of the
	// invite was consumed).
	Joined bool
}

// CreateInviteParams is what InviteStore.CreateInvite needs.
type CreateInviteParams struct {
	Actor       Actor
	Invite      Invite
	TokenDigest string
}

// AcceptParams is what InviteStore.AcceptInvite needs.
type AcceptParams struct {
	Actor       Actor
	TokenDigest string
	Now         time.Time
	MaxMembers  int
}

// RevokeParams is what InviteStore.RevokeInvite needs.
type RevokeParams struct {
	Actor    Actor
	RoomID   string
	InviteID string
	Now      time.Time
}

// InviteStore persists invites. Each method is one transaction that also
// writes its audit record.
type InviteStore interface {
	// CreateInvite stores an invite if the actor may add members to the
	// room (mayAdd).
	CreateInvite(ctx context.Context, p CreateInviteParams) error
	// AcceptInvite adds the actor to the invite's room and counts a use,
	// returning the room ID and whether the actor joined.
	AcceptInvite(ctx context.Context, p AcceptParams) (roomID string, joined bool, err error)
	// RevokeInvite marks an invite of the room revoked.
	RevokeInvite(ctx context.Context, p RevokeParams) error
	// ListInvites returns up to p.Limit live invites of the room (see
	// inviteLive) after p.After, soonest expiry first, if the actor may
	// list them (mayListInvites), and the position to continue from (nil
	// when the listing is done).
	ListInvites(ctx context.Context, p ListInvitesParams) ([]Invite, *InviteCursor, error)
}

// Invites is the invitation use cases. Store and Rooms are required; a nil
// Now is time.Now and a nil NewToken draws from crypto/rand.
type Invites struct {
	Store InviteStore
	// Rooms reads the room after an acceptance.
	Rooms  Store
	Limits Limits
	// InviteLimits bound new invites (zero value: DefaultInviteLimits).
	InviteLimits InviteLimits
	Now          func() time.Time
	NewToken     func() string
}

func (s *Invites) now() time.Time {
	f := s.Now
	if f == nil {
		f = time.Now
	}
	return f().UTC().Truncate(time.Microsecond)
}

// NewInviteToken returns a fresh token: InviteTokenBytes from crypto/rand,
// base64url without padding.
func NewInviteToken() string {
	b := make([]byte, InviteTokenBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it panics instead)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ValidInviteToken reports whether s has the shape of a token, so a
// malformed one is refused before any lookup.
func ValidInviteToken(s string) bool {
	if len(s) != inviteTokenLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// InviteTokenDigest is the stored key of a token: hex SHA-256.
func InviteTokenDigest(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ValidateInvite checks an invite request against DefaultInviteLimits;
// zero fields take the defaults.
func ValidateInvite(req InviteRequest) (InviteRequest, error) {
	return DefaultInviteLimits.Validate(req)
}

// Validate checks an invite request against l (the zero value:
// DefaultInviteLimits); zero fields take l's defaults.
func (l InviteLimits) Validate(req InviteRequest) (InviteRequest, error) {
	l = l.orDefault()
	if req.TTL == 0 {
		req.TTL = l.DefaultTTL
	}
	if req.MaxUses == 0 {
		req.MaxUses = l.DefaultUses
	}
	if req.TTL < MinInviteTTL || req.TTL > l.MaxTTL {
		return req, invalid("expiresInSeconds", "must be between %d and %d", int(MinInviteTTL.Seconds()), int64(l.MaxTTL/time.Second))
	}
	if req.MaxUses < 1 || req.MaxUses > l.MaxUses {
		return req, invalid("maxUses", "must be between 1 and %d", l.MaxUses)
	}
	return req, nil
}

// ParseInvite validates a request as the API carries it: a lifetime in
// seconds (0: the default) and a use count (0: the default), against the
// service's InviteLimits. Seconds are bounded before they become a
// Duration, so no value overflows.
func (s *Invites) ParseInvite(expiresInSeconds int64, maxUses int) (InviteRequest, error) {
	l := s.InviteLimits.orDefault()
	if expiresInSeconds < 0 || expiresInSeconds > int64(l.MaxTTL/time.Second) {
		return InviteRequest{}, invalid("expiresInSeconds", "must be between %d and %d", int(MinInviteTTL.Seconds()), int64(l.MaxTTL/time.Second))
	}
	return l.Validate(InviteRequest{TTL: time.Duration(expiresInSeconds) * time.Second, MaxUses: maxUses})
}

// Create mints an invite to roomID, which the actor must own or
// administer (a group room).
func (s *Invites) Create(ctx context.Context, actor Actor, roomID string, req InviteRequest) (NewInvite, error) {
	if !roomid.Valid(roomID) {
		return NewInvite{}, invalid("id", "not a room ID")
	}
	req, err := s.InviteLimits.Validate(req)
	if err != nil {
		return NewInvite{}, err
	}
	tok := NewInviteToken()
	if s.NewToken != nil {
		tok = s.NewToken()
	}
	now := s.now()
	inv := Invite{ID: roomid.New(), RoomID: roomID, CreatedBy: actor.UID, CreatedAt: now,
		ExpiresAt: now.Add(req.TTL), MaxUses: req.MaxUses}
	if err := s.Store.CreateInvite(ctx, CreateInviteParams{Actor: actor, Invite: inv, TokenDigest: InviteTokenDigest(tok)}); err != nil {
		return NewInvite{}, err
	}
	return NewInvite{Invite: inv, Token: tok}, nil
}

// Accept joins the actor to the invite's room and returns the room.
func (s *Invites) Accept(ctx context.Context, actor Actor, token string) (AcceptResult, error) {
	if !ValidInviteToken(token) {
		return AcceptResult{}, ErrInviteInvalid
	}
	id, joined, err := s.Store.AcceptInvite(ctx, AcceptParams{Actor: actor, TokenDigest: InviteTokenDigest(token), Now: s.now(), MaxMembers: s.Limits.MaxMembers})
	if err != nil {
		return AcceptResult{}, err
	}
	room, err := s.Rooms.Get(ctx, id, actor.UID)
	return AcceptResult{Room: room, Joined: joined}, err
}

// Revoke revokes invite inviteID of roomID (owner or room admin).
func (s *Invites) Revoke(ctx context.Context, actor Actor, roomID, inviteID string) error {
	if !roomid.Valid(roomID) {
		return invalid("id", "not a room ID")
	}
	if !roomid.Valid(inviteID) {
		return invalid("inviteId", "not an invite ID")
	}
	return s.Store.RevokeInvite(ctx, RevokeParams{Actor: actor, RoomID: roomID, InviteID: inviteID, Now: s.now()})
}

// inviteUsable decides whether a stored invite may be accepted at now.
func inviteUsable(inv Invite, now time.Time) error {
	switch {
	case inv.Revoked, !now.Before(inv.ExpiresAt), inv.Uses >= inv.MaxUses:
		return ErrInviteInvalid
	}
	return nil
}

// mayAcceptFrom decides whether an invite minted by a member whose role is
// now creatorRole still admits people: only while its creator is owner or
// admin of the room, so demoting or removing an admin retires their
// invites.
func mayAcceptFrom(creatorRole Role) error {
	if creatorRole != RoleOwner && creatorRole != RoleAdmin {
		return ErrInviteInvalid
	}
	return nil
}
