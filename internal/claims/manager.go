package claims

import (
	"context"
	"errors"
	"fmt"
	"time"

	"firebase.google.com/go/v4/auth"

	"github.com/roomgate/roomgate/internal/audit"
	"github.com/roomgate/roomgate/internal/schema"
)

// AuthClient is the part of *auth.Client the Manager uses.
type AuthClient interface {
	GetUser(ctx context.Context, uid string) (*auth.UserRecord, error)
	SetCustomUserClaims(ctx context.Context, uid string, claims map[string]any) error
	RevokeRefreshTokens(ctx context.Context, uid string) error
	DeleteUser(ctx context.Context, uid string) error
}

// AuditInfo says who asked for a change and why; the State writes it as an
// audit record in the same transaction as the change.
type AuditInfo struct {
	Actor     string
	RequestID string
	Action    audit.Action
	Details   map[string]any
	Time      time.Time
}

// Ejector removes a user from every room (a ban's and an account
// deletion's duty; reason is "ban" or "account deleted", for the rooms'
// audit records); *rooms.Service does it, adapted by rooms.BanEjector. It
// must be idempotent: a retried ejection finds fewer rooms and returns how
// many it left.
type Ejector interface {
	RemoveEverywhere(ctx context.Context, actor, requestID, uid, reason string) (int, error)
}

// DeviceDropper deletes every push device of a user (a ban's and an
// account deletion's duty), idempotently; *push.Devices does it.
type DeviceDropper interface {
	DropUser(ctx context.Context, uid string) (int, error)
}

// Eraser deletes the server-side documents that identify a user, other
// than those the Manager handles itself (users/{uid}, the marker, room
// memberships, devices): an account deletion's duty. It must be
// idempotent, and it runs before the ejection, so it may still read the
// user's room index. internal/app implements it.
type Eraser interface {
	EraseUser(ctx context.Context, uid string) error
}

// Manager applies claim changes. Auth and State are required.
type Manager struct {
	Auth  AuthClient
	State State
	// Ejector removes a banned or deleted user from every room, Devices
	// drops their push devices, Eraser erases a deleted user's data. A
	// change that needs one that is nil stays pending (deny by default):
	// every Manager that may settle a ban or deletion must have all three.
	Ejector Ejector
	Devices DeviceDropper
	Eraser  Eraser
	// LeaseDuration is how long one worker may apply a pending change
	// before another may take it over (0 = DefaultLeaseDuration). Every
	// step of the work runs under a deadline well inside it.
	LeaseDuration time.Duration
	// Grace is how long a freshly recorded change is left to the request
	// that recorded it before the reconciler may take it over
	// (0 = DefaultGrace).
	Grace time.Duration
	// RequireEmailVerified makes Admit refuse users whose email is not
	// verified (users without an email are refused too: they cannot have a
	// verified one).
	RequireEmailVerified bool
	// Now is the clock for audit records; nil means time.Now.
	Now func() time.Time
}

// Result is the outcome of a change: the claims now set in Firebase Auth
// and the claimsVersion they correspond to.
type Result struct {
	Claims  map[string]any
	Version int64
	// RoomsLeft is how many rooms this call removed the user from (a ban;
	// 0 when another worker applied the ban).
	RoomsLeft int
}

func (m *Manager) now() time.Time {
	if m.Now != nil {
		return m.Now().UTC()
	}
	return time.Now().UTC()
}

// Admit grants the chat claim to uid (POST /v1/me/claims): the account
// must exist, be enabled, have a verified email when so configured, and
// not be banned.
func (m *Manager) Admit(ctx context.Context, uid, requestID string) (Result, error) {
	user, err := m.user(ctx, uid)
	if err != nil {
		return Result{}, err
	}
	if user.Disabled {
		return Result{}, ErrUserDisabled
	}
	if m.RequireEmailVerified && (user.Email == "" || !user.EmailVerified) {
		return Result{}, ErrEmailNotVerified
	}
	return m.apply(ctx, user, func(d *Desired) (bool, error) {
		if d.Banned {
			return false, ErrBanned
		}
		if d.Chat {
			return false, nil
		}
		d.Chat = true
		return true, nil
	}, AuditInfo{Actor: uid, RequestID: requestID, Action: audit.ClaimsAdmitted})
}

// SetRole sets target's role claim to one of Roles.
func (m *Manager) SetRole(ctx context.Context, actor, requestID, target, role string) (Result, error) {
	if !ValidRole(role) {
		return Result{}, fmt.Errorf("claims: invalid role %q", role)
	}
	user, err := m.user(ctx, target)
	if err != nil {
		return Result{}, err
	}
	return m.apply(ctx, user, func(d *Desired) (bool, error) {
		if d.Role == role {
			return false, nil
		}
		d.Role = role
		return true, nil
	}, AuditInfo{Actor: actor, RequestID: requestID, Action: audit.RoleSet, Details: map[string]any{schema.FieldRole: role}})
}

// Ban sets banned and clears chat, then revokes target's refresh tokens
// (so no new ID token can be minted without signing in again, which yields
// the banned claim) and removes target from every room. The recorded ban
// carries those duties until they are done (see the package doc).
//
// A ban of a deleted account (its tombstone) or of one whose deletion is
// pending records bannedBeforeDeletion on users/{uid} (the tombstone keeps
// it), so that Restore later keeps the ban; it needs no Auth user then.
// During a pending deletion it then settles the deletion as any request
// does: nil once the deletion is done, ErrChangePending if not (a retry
// is safe).
func (m *Manager) Ban(ctx context.Context, actor, requestID, target string) (Result, error) {
	info := AuditInfo{Actor: actor, RequestID: requestID, Action: audit.UserBanned}
	user, err := m.user(ctx, target)
	if errors.Is(err, ErrUserNotFound) {
		return m.banDeleted(ctx, target, info)
	}
	if err != nil {
		return Result{}, err
	}
	return m.apply(ctx, user, ban, info)
}

// ban is Ban's mutation.
func ban(d *Desired) (bool, error) {
	if d.Deleted || d.Deleting {
		// Banned already (the tombstone, or the deletion's record):
		// remember that the ban is the admin's too.
		if d.BannedBeforeDeletion {
			return false, nil
		}
		d.BannedBeforeDeletion = true
		return true, nil
	}
	if d.Banned && !d.Chat {
		return false, nil
	}
	d.Banned, d.Chat = true, false
	return true, nil
}

// banDeleted bans a uid without an Auth user: only a tombstone or a
// pending deletion can be banned then (else ErrUserNotFound).
func (m *Manager) banDeleted(ctx context.Context, target string, info AuditInfo) (Result, error) {
	info.Time = m.now()
	d, err := m.State.Update(ctx, target, Desired{}, func(d *Desired) (bool, error) {
		if !d.Deleted && !d.Deleting {
			return false, ErrUserNotFound
		}
		return ban(d)
	}, info, info.Time.Add(m.grace()))
	if err != nil {
		return Result{}, err
	}
	res, err := m.settle(ctx, target)
	if errors.Is(err, ErrUserNotFound) && !errors.Is(err, ErrChangePending) {
		// Nothing pending and no Auth user: the tombstone is all there
		// is, and it records the ban.
		return Result{Claims: map[string]any{}, Version: d.Version}, nil
	}
	return res, err
}

// Unban clears banned. chat stays cleared: the user asks for admission
// again through POST /v1/me/claims. On a deleted account's tombstone it
// lifts the tombstone too, unless the user was banned before the deletion
// (bannedBeforeDeletion): then it refuses with ErrBannedBeforeDeletion and
// changes nothing, and Restore must lift the tombstone first. So repeating
// an unban never lifts more than the first one meant to.
func (m *Manager) Unban(ctx context.Context, actor, requestID, target string) (Result, error) {
	user, err := m.user(ctx, target)
	if err != nil {
		return Result{}, err
	}
	return m.apply(ctx, user, func(d *Desired) (bool, error) {
		if d.Deleted {
			if d.BannedBeforeDeletion {
				return false, ErrBannedBeforeDeletion
			}
			d.Deleted, d.Banned = false, false
			return true, nil
		}
		if !d.Banned {
			return false, nil
		}
		d.Banned = false
		return true, nil
	}, AuditInfo{Actor: actor, RequestID: requestID, Action: audit.UserUnbanned})
}

// Restore lifts a deleted account's tombstone and nothing else: the record
// becomes an ordinary one, banned if the user was banned before the
// deletion (bannedBeforeDeletion; Unban then lifts the ban), else not. It
// is idempotent: on a record that is no tombstone it changes nothing. The
// uid needs an Auth user again (a re-signup), as for Unban; a pending
// deletion answers ErrUserNotFound.
func (m *Manager) Restore(ctx context.Context, actor, requestID, target string) (Result, error) {
	user, err := m.user(ctx, target)
	if err != nil {
		return Result{}, err
	}
	return m.apply(ctx, user, func(d *Desired) (bool, error) {
		if !d.Deleted {
			return false, nil
		}
		d.Deleted, d.Banned = false, d.BannedBeforeDeletion
		d.BannedBeforeDeletion = false
		return true, nil
	}, AuditInfo{Actor: actor, RequestID: requestID, Action: audit.UserRestored})
}

func (m *Manager) user(ctx context.Context, uid string) (*auth.UserRecord, error) {
	u, err := m.Auth.GetUser(ctx, uid)
	if auth.IsUserNotFound(err) {
		return nil, ErrUserNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("claims: looking up user: %w", err)
	}
	return u, nil
}

// apply records the change in users/{uid} and then converges Auth to it.
func (m *Manager) apply(ctx context.Context, user *auth.UserRecord, mutate Mutation, info AuditInfo) (Result, error) {
	info.Time = m.now()
	seed := FromClaims(user.CustomClaims)
	// Refuse before recording anything if the result could never be set.
	probe := seed
	if _, err := mutate(&probe); err != nil && !errors.Is(err, ErrBanned) {
		return Result{}, err
	}
	if err := CheckSize(Merge(user.CustomClaims, probe)); err != nil {
		return Result{}, err
	}
	if _, err := m.State.Update(ctx, user.UID, seed, mutate, info, info.Time.Add(m.grace())); err != nil {
		return Result{}, err
	}
	// Also when nothing changed: an earlier change of this user may still
	// be pending, and the caller must not be told it is done.
	return m.settle(ctx, user.UID)
}

// converge makes Firebase Auth's claims for uid match users/{uid}, keeping
// foreign claims, and retries while concurrent changes move the version.
// Callers hold the lease on uid's pending change.
func (m *Manager) converge(ctx context.Context, uid string) (Result, error) {
	for round := 0; round < maxRounds; round++ {
		d, ok, err := m.State.Get(ctx, uid)
		if err != nil {
			return Result{}, err
		}
		user, err := m.user(ctx, uid)
		if err != nil {
			return Result{}, err
		}
		if !ok {
			// Nothing recorded: nothing of ours to converge.
			return Result{Claims: user.CustomClaims}, nil
		}
		merged := Merge(user.CustomClaims, d)
		if err := CheckSize(merged); err != nil {
			return Result{}, err
		}
		if err := m.Auth.SetCustomUserClaims(ctx, uid, merged); err != nil {
			return Result{}, fmt.Errorf("claims: setting custom claims: %w", err)
		}
		after, _, err := m.State.Get(ctx, uid)
		if err != nil {
			return Result{}, err
		}
		if after.Version == d.Version {
			return Result{Claims: merged, Version: d.Version}, nil
		}
	}
	return Result{}, ErrContention
}

// CurrentRole returns uid's role and ban state as roomgate records them
// now (users/{uid}, or the Auth claims for a user roomgate never changed),
// not as an ID token minted up to an hour ago says. Admin routes use it,
// so a demoted or banned admin loses access at once.
func (m *Manager) CurrentRole(ctx context.Context, uid string) (role string, banned bool, err error) {
	d, ok, err := m.State.Get(ctx, uid)
	if err != nil {
		return "", false, err
	}
	if !ok {
		u, err := m.user(ctx, uid)
		if err != nil {
			return "", false, err
		}
		d = FromClaims(u.CustomClaims)
	}
	return d.Role, d.Banned, nil
}
