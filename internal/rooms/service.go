package rooms

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/roomgate/roomgate/internal/roomid"
)

// Store persists rooms. Every mutating method is one atomic transaction that
// also writes the audit record(s) of the change. Implementations return the
// sentinels of errors.go.
type Store interface {
	// Create writes a new room (or returns the existing direct room for the
	// pair, or replays an idempotent response), per CreateParams.
	Create(ctx context.Context, p CreateParams) (CreateResult, error)
	// Replay returns the outcome remembered under idem (found true), or
	// found false when there is no unexpired record; a record of another
	// body is ErrIdempotencyMismatch.
	Replay(ctx context.Context, idem *Idempotency, now time.Time) (res CreateResult, found bool, err error)
	// Get returns the room with its members if caller is a member, else
	// ErrNotFound.
	Get(ctx context.Context, roomID, caller string) (Room, error)
	// List returns up to limit index entries of uid, newest join first,
	// strictly after the cursor position (nil: from the start).
	List(ctx context.Context, uid string, limit int, after *Cursor) ([]Entry, error)
	// AddMembers adds uids (skipping current members) and enforces the cap
	// inside the transaction. It returns the uids actually added.
	AddMembers(ctx context.Context, p AddParams) ([]string, error)
	// RemoveMember removes (or, when Actor == Target, lets leave) a member,
	// handing ownership over and deleting the room when the last one goes.
	RemoveMember(ctx context.Context, p RemoveParams) (RemoveResult, error)
	// Delete removes the room, its member documents and every index entry,
	// and leaves a tombstone for the message sweep. RemoveMember leaves one
	// too when the last member goes.
	Delete(ctx context.Context, p DeleteParams) error
	// SweepDeletion deletes a tombstoned room's messages and then its
	// tombstone, under lease (ErrLeaseHeld while another sweeper holds
	// it). A room without a tombstone is done: nil.
	SweepDeletion(ctx context.Context, roomID string, lease Lease) error
	// PendingDeletions lists up to limit tombstoned rooms whose lease has
	// run out at now.
	PendingDeletions(ctx context.Context, now time.Time, limit int) ([]string, error)
	// IndexRoomIDs lists every room ID in uid's index.
	IndexRoomIDs(ctx context.Context, uid string) ([]string, error)
}

// Directory answers whether users exist and may be added to rooms.
type Directory interface {
	// Unavailable returns the uids among uids that do not exist, are
	// disabled, or carry the banned claim.
	Unavailable(ctx context.Context, uids []string) ([]string, error)
}

// CreateParams is what Store.Create needs; Service fills it.
type CreateParams struct {
	Actor   Actor
	RoomID  string
	Request CreateRequest
	Now     time.Time
	// DirectKey is the digest of the sorted pair for direct rooms, else "".
	DirectKey string
	// Idem is nil when the request had no Idempotency-Key.
	Idem *Idempotency
}

// AddParams is what Store.AddMembers needs.
type AddParams struct {
	Actor      Actor
	RoomID     string
	UIDs       []string
	Now        time.Time
	MaxMembers int
}

// RemoveParams is what Store.RemoveMember needs.
type RemoveParams struct {
	Actor  Actor
	RoomID string
	Target string
	Now    time.Time
	// Force skips the actor's membership and role checks: a ban removes the
	// user from rooms the admin is not in.
	Force bool
	// Reason is recorded in the audit details ("ban" for bans).
	Reason string
}

// DeleteParams is what Store.Delete needs.
type DeleteParams struct {
	Actor  Actor
	RoomID string
	Now    time.Time
}

// Service is the rooms use cases. Store and Directory are required; a zero
// Limits is DefaultLimits, a nil Now is time.Now and a nil NewID is
// roomid.New.
//
// Input is validated once, by the Parse functions (ParseCreate, ParseAdd
// here; ParseRoomID, ParseUID and ParseListQuery in request.go); the
// use-case methods take only the validated types they return.
type Service struct {
	Store     Store
	Directory Directory
	Limits    Limits
	Now       func() time.Time
	NewID     func() string
	// Sweeper, when set (and running: see Sweeper.Run), sweeps the messages
	// of deleted rooms in the background, so a deletion answers as soon as
	// its tombstone is committed. When nil, the sweep runs inline in the
	// deleting call, bounded by its ctx (for tools and tests).
	Sweeper *Sweeper
}

// limits is the service's Limits, DefaultLimits when unset.
func (s *Service) limits() Limits {
	if s.Limits == (Limits{}) {
		return DefaultLimits
	}
	return s.Limits
}

// now is the service clock, truncated to Firestore's microsecond precision
// so that what we answer equals what a later read returns.
func (s *Service) now() time.Time {
	f := s.Now
	if f == nil {
		f = time.Now
	}
	return f().UTC().Truncate(time.Microsecond)
}

func (s *Service) newID() string {
	if s.NewID != nil {
		return s.NewID()
	}
	return roomid.New()
}

// ParseCreate validates a creation request of caller under the service's
// Limits.
func (s *Service) ParseCreate(caller string, req CreateRequest) (NewRoom, error) {
	return s.limits().ParseCreate(caller, req)
}

// ParseAdd validates an add-members request of caller under the service's
// Limits.
func (s *Service) ParseAdd(caller string, room RoomID, uids []string) (NewMembers, error) {
	return s.limits().ParseAdd(caller, room, uids)
}

// Create answers a retry from its idempotency record, checks that every
// member exists and is not banned (outside the transaction: the Auth
// lookup cannot join a Firestore transaction), then writes the room in one
// transaction. v must come from ParseCreate for actor.
//
// The idempotency record is consulted before the member lookup: a retry
// with the same key and body gets the first answer even if a member was
// deleted or banned since, and the same key with another body is
// ErrIdempotencyMismatch whatever that body names.
func (s *Service) Create(ctx context.Context, actor Actor, v NewRoom, idem *Idempotency) (CreateResult, error) {
	if v.caller == "" || v.caller != actor.UID || v.lim != s.limits() {
		return CreateResult{}, ErrNotValidated
	}
	req := v.Request()
	if idem != nil {
		res, found, err := s.Store.Replay(ctx, idem, s.now())
		if err != nil || found {
			return res, err
		}
	}
	if len(req.Members) > 0 {
		bad, err := s.Directory.Unavailable(ctx, req.Members)
		if err != nil {
			return CreateResult{}, fmt.Errorf("rooms: looking up members: %w", err)
		}
		if len(bad) > 0 {
			sort.Strings(bad)
			return CreateResult{}, &UnavailableMembersError{UIDs: bad}
		}
	}
	p := CreateParams{Actor: actor, RoomID: s.newID(), Request: req, Now: s.now(), Idem: idem}
	if req.Kind == KindDirect {
		p.DirectKey = DirectKey(actor.UID, req.Members[0])
	}
	return s.Store.Create(ctx, p)
}

// Get returns a room the caller is a member of.
func (s *Service) Get(ctx context.Context, caller string, room RoomID) (Room, error) {
	if room.id == "" {
		return Room{}, ErrNotValidated
	}
	return s.Store.Get(ctx, room.id, caller)
}

// List returns one page of the caller's rooms.
func (s *Service) List(ctx context.Context, caller string, q ListQuery) (Page, error) {
	if q.limit == 0 {
		return Page{}, ErrNotValidated
	}
	limit := q.limit
	entries, err := s.Store.List(ctx, caller, limit+1, q.after)
	if err != nil {
		return Page{}, err
	}
	page := Page{Rooms: entries}
	if len(entries) > limit {
		page.Rooms = entries[:limit]
		last := page.Rooms[limit-1]
		page.Next = EncodeCursor(Cursor{JoinedAt: last.JoinedAt, RoomID: last.RoomID})
	}
	return page, nil
}

// AddMembers adds the uids of v to its room, whose owner or admin the
// caller must be, and returns the room as it is afterwards with the uids
// actually added. v must come from ParseAdd for actor.
func (s *Service) AddMembers(ctx context.Context, actor Actor, v NewMembers) (Room, []string, error) {
	lim := s.limits()
	if v.caller == "" || v.caller != actor.UID || v.lim != lim || v.room.id == "" {
		return Room{}, nil, ErrNotValidated
	}
	roomID, uids := v.room.id, v.UIDs()
	// Permission is checked again inside the transaction; checking here
	// first keeps a caller who may not add (a non-member, a plain member, or
	// anyone on a direct room) from learning whether the uids exist, and
	// spares the Auth lookups.
	before, err := s.Store.Get(ctx, roomID, actor.UID)
	if err != nil {
		return Room{}, nil, err
	}
	if err := mayAdd(before.Kind, roleOf(before.Members, actor.UID)); err != nil {
		return Room{}, nil, err
	}
	bad, err := s.Directory.Unavailable(ctx, uids)
	if err != nil {
		return Room{}, nil, fmt.Errorf("rooms: looking up members: %w", err)
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return Room{}, nil, &UnavailableMembersError{UIDs: bad}
	}
	added, err := s.Store.AddMembers(ctx, AddParams{Actor: actor, RoomID: roomID, UIDs: uids, Now: s.now(), MaxMembers: lim.MaxMembers})
	if err != nil {
		return Room{}, nil, err
	}
	room, err := s.Store.Get(ctx, roomID, actor.UID)
	return room, added, err
}

// RemoveMember removes target from the room (or lets the caller leave when
// target is the caller).
func (s *Service) RemoveMember(ctx context.Context, actor Actor, room RoomID, target UID) (RemoveResult, error) {
	if room.id == "" || target.uid == "" {
		return RemoveResult{}, ErrNotValidated
	}
	res, err := s.Store.RemoveMember(ctx, RemoveParams{Actor: actor, RoomID: room.id, Target: target.uid, Now: s.now()})
	if err != nil {
		return res, err
	}
	if res.RoomDeleted {
		err = s.sweep(ctx, room.id)
	}
	return res, err
}

// Delete deletes a room the caller owns. When it returns nil the room, its
// members and index entries are gone (the rules deny every access at once)
// and a tombstone guarantees its messages are deleted: by the Sweeper in
// the background, or inline when there is none.
func (s *Service) Delete(ctx context.Context, actor Actor, room RoomID) error {
	if room.id == "" {
		return ErrNotValidated
	}
	if err := s.Store.Delete(ctx, DeleteParams{Actor: actor, RoomID: room.id, Now: s.now()}); err != nil {
		return err
	}
	return s.sweep(ctx, room.id)
}

// sweep has the messages of tombstoned room roomID deleted: it kicks the
// Sweeper, or without one sweeps inline under a lease of its own. An
// inline failure is returned, but the deletion stands: the tombstone stays
// for a Sweeper to finish.
func (s *Service) sweep(ctx context.Context, roomID string) error {
	if s.Sweeper != nil {
		s.Sweeper.Kick(roomID)
		return nil
	}
	return s.Store.SweepDeletion(ctx, roomID, Lease{Holder: "inline-" + s.newID(), TTL: DefaultLeaseTTL, Now: s.Now})
}

// RemoveEverywhere removes uid from every room in its index (a ban). Each
// room is its own transaction (one user can be in more rooms than a
// transaction may write), with ownership hand-over and last-one-out
// deletion as for a normal leave. It returns how many rooms uid left.
func (s *Service) RemoveEverywhere(ctx context.Context, actor Actor, uid, reason string) (int, error) {
	ids, err := s.Store.IndexRoomIDs(ctx, uid)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		res, err := s.Store.RemoveMember(ctx, RemoveParams{Actor: actor, RoomID: id, Target: uid, Now: s.now(), Force: true, Reason: reason})
		switch {
		case errors.Is(err, ErrNotFound) || errors.Is(err, ErrMemberNotFound):
			// A stale index entry: the store has removed it.
			continue
		case err != nil:
			return n, err
		}
		n++
		if res.RoomDeleted {
			if err := s.sweep(ctx, id); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}
