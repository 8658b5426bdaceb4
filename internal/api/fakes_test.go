package api

import (
	"context"
	"sync"
	"time"

	"github.com/roomgate/roomgate/internal/claims"
	"github.com/roomgate/roomgate/internal/moderation"
	"github.com/roomgate/roomgate/internal/profiles"
	"github.com/roomgate/roomgate/internal/rooms"
)

// fakeRooms is a RoomService that records calls and returns canned
// results. It lets handler tests prove what reaches the domain layer (and,
// as importantly, that bad input never does). Its Parse methods are the
// real ones under rooms.DefaultLimits, and are not recorded as calls: they
// validate, they do not reach the domain.
type fakeRooms struct {
	mu    sync.Mutex
	calls []string
	// err, when set, is returned by every method.
	err error
	// room is returned by Get/AddMembers/Create.
	room rooms.Room
	// created is CreateResult.Created.
	created bool
	// replay, when set, is returned as CreateResult.Replay.
	replay *rooms.StoredResponse
	// lastCreate and lastIdem record the last Create's inputs.
	lastCreate rooms.CreateRequest
	lastIdem   *rooms.Idempotency
	lastList   struct {
		limit  int
		cursor string
	}
	page rooms.Page
}

func (f *fakeRooms) record(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, name)
}

func (f *fakeRooms) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeRooms) ParseCreate(caller string, req rooms.CreateRequest) (rooms.NewRoom, error) {
	return rooms.DefaultLimits.ParseCreate(caller, req)
}

func (f *fakeRooms) ParseAdd(caller string, room rooms.RoomID, uids []string) (rooms.NewMembers, error) {
	return rooms.DefaultLimits.ParseAdd(caller, room, uids)
}

func (f *fakeRooms) Create(_ context.Context, a rooms.Actor, req rooms.NewRoom, idem *rooms.Idempotency) (rooms.CreateResult, error) {
	f.record("Create")
	f.lastCreate, f.lastIdem = req.Request(), idem
	if f.err != nil {
		return rooms.CreateResult{}, f.err
	}
	return rooms.CreateResult{Room: f.room, Created: f.created, Replay: f.replay}, nil
}

func (f *fakeRooms) Get(context.Context, string, rooms.RoomID) (rooms.Room, error) {
	f.record("Get")
	return f.room, f.err
}

func (f *fakeRooms) List(_ context.Context, _ string, q rooms.ListQuery) (rooms.Page, error) {
	f.record("List")
	f.lastList.limit, f.lastList.cursor = q.Limit(), ""
	if after, ok := q.After(); ok {
		f.lastList.cursor = rooms.EncodeCursor(after)
	}
	return f.page, f.err
}

func (f *fakeRooms) AddMembers(context.Context, rooms.Actor, rooms.NewMembers) (rooms.Room, []string, error) {
	f.record("AddMembers")
	return f.room, nil, f.err
}

func (f *fakeRooms) RemoveMember(context.Context, rooms.Actor, rooms.RoomID, rooms.UID) (rooms.RemoveResult, error) {
	f.record("RemoveMember")
	return rooms.RemoveResult{}, f.err
}

func (f *fakeRooms) Delete(context.Context, rooms.Actor, rooms.RoomID) error {
	f.record("Delete")
	return f.err
}

// fakeClaims is a ClaimsService with canned results.
type fakeClaims struct {
	mu    sync.Mutex
	calls []string
	err   error
	// roles is what CurrentRole reports; a uid absent here has role "admin"
	// (so the token decides, unless a test says otherwise).
	roles map[string]string
}

func (f *fakeClaims) CurrentRole(_ context.Context, uid string) (string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r, ok := f.roles[uid]; ok {
		return r, false, nil
	}
	return "admin", false, nil
}

func (f *fakeClaims) record(n string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, n)
}

func (f *fakeClaims) result() (claims.Result, error) {
	return claims.Result{Claims: map[string]any{"chat": true, "tier": "gold"}, Version: 4, RoomsLeft: 3}, f.err
}

func (f *fakeClaims) Admit(context.Context, string, string) (claims.Result, error) {
	f.record("Admit")
	return f.result()
}

func (f *fakeClaims) SetRole(_ context.Context, _, _, _, role string) (claims.Result, error) {
	f.record("SetRole:" + role)
	return f.result()
}

func (f *fakeClaims) Ban(context.Context, string, string, string) (claims.Result, error) {
	f.record("Ban")
	return f.result()
}

func (f *fakeClaims) Unban(context.Context, string, string, string) (claims.Result, error) {
	f.record("Unban")
	return f.result()
}

func (f *fakeClaims) Restore(context.Context, string, string, string) (claims.Result, error) {
	f.record("Restore")
	return f.result()
}

func (f *fakeClaims) DeleteAccount(_ context.Context, actor, _, target string) (claims.Result, error) {
	f.record("DeleteAccount:" + actor + ">" + target)
	return f.result()
}

// fixedClock is a settable clock for rate-limit tests.
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fixedClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fakeChat implements InviteService, RoomAdminService, ProfileService and
// ModerationService with canned results, recording calls.
type fakeChat struct {
	mu    sync.Mutex
	calls []string
	// err, when set, is returned by every method.
	err  error
	room rooms.Room
	// lookup maps an email to a uid; others are not found.
	lookup map[string]string
	// lastRole and lastTitle record the last room management inputs.
	lastRole     rooms.Role
	lastSlowMode int
	lastTitle    string
	// lastIdentity is the last Put's caller.
	lastIdentity profiles.Identity
	// acceptErr, when set, is what Accept returns.
	acceptErr error
}

func (f *fakeChat) record(n string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, n)
}

func (f *fakeChat) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeChat) Create(_ context.Context, a rooms.Actor, roomID string, req rooms.InviteRequest) (rooms.NewInvite, error) {
	f.record("CreateInvite")
	inv := rooms.NewInvite{Invite: rooms.Invite{ID: "IIIIIIIIIIIIIIIIIIIIII", RoomID: roomID, CreatedBy: a.UID,
		ExpiresAt: time.Date(2026, 1, 9, 3, 4, 5, 0, time.UTC), MaxUses: req.MaxUses}, Token: testToken}
	return inv, f.err
}

func (f *fakeChat) Accept(_ context.Context, _ rooms.Actor, token string) (rooms.AcceptResult, error) {
	f.record("Accept")
	if f.acceptErr != nil {
		return rooms.AcceptResult{}, f.acceptErr
	}
	if token != testToken {
		return rooms.AcceptResult{}, rooms.ErrInviteInvalid
	}
	return rooms.AcceptResult{Room: f.room, Joined: true}, f.err
}

func (f *fakeChat) ParseInvite(expiresInSeconds int64, maxUses int) (rooms.InviteRequest, error) {
	return (&rooms.Invites{}).ParseInvite(expiresInSeconds, maxUses)
}

func (f *fakeChat) List(_ context.Context, a rooms.Actor, roomID string, _ rooms.InviteListQuery) (rooms.InvitePage, error) {
	f.record("ListInvites")
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return rooms.InvitePage{Invites: []rooms.Invite{{ID: "IIIIIIIIIIIIIIIIIIIIII", RoomID: roomID, CreatedBy: a.UID, CreatedAt: t,
		ExpiresAt: t.Add(time.Hour), MaxUses: 3, Uses: 1}}}, f.err
}

func (f *fakeChat) Revoke(context.Context, rooms.Actor, string, string) error {
	f.record("Revoke")
	return f.err
}

// SetTitle validates as rooms.Management does (the title is checked once,
// by the service), then records the call.
func (f *fakeChat) SetTitle(_ context.Context, _ rooms.Actor, _ string, title string) (rooms.Room, error) {
	if err := rooms.ValidateTitle(title, rooms.DefaultLimits.MaxTitleRunes); err != nil {
		return rooms.Room{}, err
	}
	f.record("SetTitle")
	f.lastTitle = title
	return f.room, f.err
}

// SetSlowMode validates as rooms.Management does, then records the call.
func (f *fakeChat) SetSlowMode(_ context.Context, _ rooms.Actor, _ string, seconds int) (rooms.Room, error) {
	if seconds < 0 || seconds > rooms.MaxSlowModeSeconds {
		return rooms.Room{}, &rooms.InvalidError{Field: "slowModeSeconds", Reason: "out of range"}
	}
	f.record("SetSlowMode")
	f.lastSlowMode = seconds
	return f.room, f.err
}

// SetPushPreview records the call and returns the room with the flag set.
func (f *fakeChat) SetPushPreview(_ context.Context, _ rooms.Actor, _ string, on bool) (rooms.Room, error) {
	f.record("SetPushPreview")
	r := f.room
	r.PushPreview = on
	return r, f.err
}

func (f *fakeChat) SetRole(_ context.Context, _ rooms.Actor, _, _ string, role rooms.Role) (rooms.Room, error) {
	f.record("SetRole")
	f.lastRole = role
	return f.room, f.err
}

func (f *fakeChat) Put(_ context.Context, who profiles.Identity, p profiles.Profile) (profiles.Profile, error) {
	f.record("PutProfile")
	f.lastIdentity = who
	return p, f.err
}

func (f *fakeChat) Get(context.Context, string) (profiles.Profile, error) {
	f.record("GetProfile")
	if f.err != nil {
		return profiles.Profile{}, f.err
	}
	return profiles.Profile{DisplayName: "Alice"}, nil
}

func (f *fakeChat) Lookup(_ context.Context, email string) (string, error) {
	f.record("Lookup")
	if uid, ok := f.lookup[email]; ok {
		return uid, nil
	}
	return "", profiles.ErrUserNotFound
}

func (f *fakeChat) Block(context.Context, string, string) error {
	f.record("Block")
	return f.err
}

func (f *fakeChat) Unblock(context.Context, string, string) error {
	f.record("Unblock")
	return f.err
}

func (f *fakeChat) Blocks(context.Context, string) ([]moderation.Block, error) {
	f.record("Blocks")
	return []moderation.Block{{UID: "bob"}}, f.err
}

func (f *fakeChat) FileReport(_ context.Context, r moderation.Report, _ string) (moderation.Report, bool, error) {
	f.record("FileReport")
	r.ID = "r1"
	return r, true, f.err
}

func (f *fakeChat) Reports(context.Context, int, string) ([]moderation.Report, string, error) {
	f.record("Reports")
	return []moderation.Report{{ID: "r1", Reporter: "alice", Text: "spam!"}}, "", f.err
}

func (f *fakeChat) Audit(context.Context, int, string) ([]moderation.AuditEntry, string, error) {
	f.record("Audit")
	return []moderation.AuditEntry{{ID: "a1", Action: "room.created"}}, "", f.err
}

// testToken is the invite token fakeChat accepts.
const testToken = "tttttttttttttttttttttttttttttttttttttttttt0"
