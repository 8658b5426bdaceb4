// Package claims manages the Firebase custom claims roomgate owns: chat,
// role and banned.
//
// The Admin SDK can only replace a user's whole claims object, so a naive
// read-merge-write loses one of two concurrent changes, and one from
// another service instance. roomgate therefore keeps its desired claims in
// Firestore, in users/{uid} (fields chat, role, banned, claimsVersion), and
// changes them in a transaction that bumps claimsVersion and writes the
// audit record. It then converges Firebase Auth to that state:
//
//  1. read users/{uid} (version v) and the user's current Auth claims;
//  2. merge: foreign claims are kept as they are, roomgate's three are set
//     from users/{uid};
//  3. SetCustomUserClaims;
//  4. re-read users/{uid}; if the version moved past v, another change
//     landed meanwhile and may have been overwritten by step 3: repeat.
//
// The last writer of Auth claims always wrote a state whose version was
// still current after its write, so no committed change is lost. Foreign
// claims are carried through untouched; a foreign writer racing with step
// 3 is outside roomgate's control (the SDK offers no compare-and-set).
// claimsVersion also tells a client (which may read users/{uid}) when to
// refresh its ID token.
//
// A change is durable: the transaction that records it in users/{uid} also
// writes privilegeChanges/{uid}, a server-only marker holding the version
// to apply and, after a ban, the duty to revoke refresh tokens, remove
// the user from every room and drop their push devices (an account
// deletion adds its own duties, account.go). The marker is deleted only once all of that is
// done for the version it names (pending.go). The request applies its own
// change under a lease on the marker; if it cannot finish (Auth or
// Firestore unreachable, the request's deadline, a crash), the marker stays
// and a reconciler on any instance (Manager.Reconcile) finishes the work
// after the lease expires. Until then the user holds no more than the
// recorded state allows wherever roomgate checks users/{uid} (the admin
// routes, the room transactions, the moderator branch of firestore.rules);
// a ban's ejection from rooms is what finally cuts a stale token's room
// access, and it is a duty of the marker that nothing clears early.
package claims

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/roomgate/roomgate/internal/schema"
)

// The claims roomgate owns. Every other claim is foreign and preserved.
const (
	ClaimChat   = schema.ClaimChat
	ClaimRole   = schema.ClaimRole
	ClaimBanned = schema.ClaimBanned
)

// MaxClaimsBytes is Firebase's limit on the serialised custom claims.
const MaxClaimsBytes = 1000

// Roles a user may hold in the role claim (schema.Roles).
var Roles = schema.Roles()

// ValidRole reports whether r is one of the roles (schema.ValidRole; it
// does not consult Roles, which a caller could change).
func ValidRole(r string) bool { return schema.ValidRole(r) }

// Sentinel errors, mapped to HTTP statuses by internal/api.
var (
	ErrBanned           = errors.New("claims: user is banned")
	ErrUserDisabled     = errors.New("claims: user is disabled")
	ErrEmailNotVerified = errors.New("claims: email not verified")
	ErrUserNotFound     = errors.New("claims: user not found")
	// ErrBannedBeforeDeletion: a plain unban of the tombstone of a user
	// who was banned when their account was deleted. Lifting it takes two
	// explicit steps, Restore (the tombstone) and then Unban (the ban), so
	// that no retried or repeated unban lifts more than its caller meant.
	ErrBannedBeforeDeletion = errors.New("claims: the account was deleted while banned: restore it first, then unban")
	ErrClaimsTooLarge       = errors.New("claims: custom claims would exceed 1000 bytes")
	ErrContention           = errors.New("claims: could not converge under contention, retry")
	// ErrChangePending: the change is recorded (users/{uid} holds it) but
	// applying it to Auth and the rooms did not finish in this request;
	// the reconciler finishes it. The error wraps the cause.
	ErrChangePending = errors.New("claims: change recorded, still being applied")
)

// Desired is roomgate's view of its own claims, as stored in users/{uid}.
type Desired struct {
	Chat    bool
	Role    string
	Banned  bool
	Version int64
	// Deleted and BannedBeforeDeletion are the tombstone of a deleted
	// account (account.go); Deleting says an account deletion is pending.
	// They are not claims (Merge ignores them): State.Update shows them to
	// a Mutation, which may lift the tombstone (Deleted set to false) or
	// record a ban (BannedBeforeDeletion set to true). Deleting is read
	// only.
	Deleted, BannedBeforeDeletion, Deleting bool
}

// Merge returns current with roomgate's claims replaced by d: foreign
// claims are copied unchanged; chat and banned appear only when true, role
// only when set.
func Merge(current map[string]any, d Desired) map[string]any {
	out := make(map[string]any, len(current)+3)
	maps.Copy(out, current)
	delete(out, ClaimChat)
	delete(out, ClaimRole)
	delete(out, ClaimBanned)
	if d.Chat {
		out[ClaimChat] = true
	}
	if d.Role != "" {
		out[ClaimRole] = d.Role
	}
	if d.Banned {
		out[ClaimBanned] = true
	}
	return out
}

// CheckSize returns ErrClaimsTooLarge if claims serialise to more than
// MaxClaimsBytes.
func CheckSize(claims map[string]any) error {
	b, err := json.Marshal(claims)
	if err != nil {
		return fmt.Errorf("claims: encoding: %w", err)
	}
	if len(b) > MaxClaimsBytes {
		return fmt.Errorf("%w (%d bytes)", ErrClaimsTooLarge, len(b))
	}
	return nil
}

// FromClaims reads roomgate's claims out of a claims map, used to seed
// users/{uid} the first time roomgate touches a user whose claims were set
// elsewhere (so a role granted before roomgate is not dropped).
func FromClaims(c map[string]any) Desired {
	var d Desired
	d.Chat, _ = c[ClaimChat].(bool)
	d.Role, _ = c[ClaimRole].(string)
	d.Banned, _ = c[ClaimBanned].(bool)
	return d
}

// Mutation changes d and reports whether anything changed. Returning an
// error aborts the change.
type Mutation func(d *Desired) (changed bool, err error)

// State stores desired claims (users/{uid}) and the pending-change markers
// (privilegeChanges/{uid}); firestore.go and pending.go implement it.
type State interface {
	// Update runs mutate on the stored state (seed when none is stored) in
	// one transaction; if it changed anything, bumps Version, writes rec
	// and records the change as pending (Pending), reserved for the caller
	// until reserveUntil. A mutation that clears Deleted lifts the
	// tombstone. While a deletion of uid is pending it refuses every
	// change with ErrUserNotFound but a ban (rec.Action audit.UserBanned)
	// that only sets BannedBeforeDeletion; a change that only sets
	// BannedBeforeDeletion (on a tombstone or a pending deletion) writes
	// that field and rec, without a new version or a pending change.
	Update(ctx context.Context, uid string, seed Desired, mutate Mutation, rec AuditInfo, reserveUntil time.Time) (Desired, error)
	// RecordDeletion records the deletion of uid's account in one
	// transaction: users/{uid} banned, without chat or role (so every
	// check of roomgate refuses the user at once), the marker with the
	// deletion's duties and authCreated, and rec. A deletion already
	// pending is left as it is (recorded reports false). authCreated < 0
	// says uid has no Auth user: then, with no marker stored and
	// users/{uid} missing or only a deleted account's tombstone, there is
	// nothing to delete: ErrUserNotFound.
	RecordDeletion(ctx context.Context, uid string, authCreated int64, rec AuditInfo, reserveUntil time.Time) (recorded bool, err error)
	// Get returns the stored state; ok is false when none is stored.
	Get(ctx context.Context, uid string) (d Desired, ok bool, err error)
	// Lease takes the lease on uid's pending change for owner until
	// until. A lease whose time has passed is free; so is a reservation
	// (a lease without owner) when takeReserved. found is false when no
	// change is pending; ErrLeaseHeld when someone else holds it.
	Lease(ctx context.Context, uid, owner string, now, until time.Time, takeReserved bool) (p Pending, found bool, err error)
	// Done deletes uid's pending change if owner still holds its lease and
	// its Version is applied; for a deletion (Pending.Delete) it turns
	// users/{uid} into the account's tombstone (banned and deleted, see
	// account.go) in the same transaction. When a newer change landed
	// meanwhile it returns that one (still leased by owner) and cleared is
	// false.
	Done(ctx context.Context, uid, owner string, applied int64) (next Pending, cleared bool, err error)
	// Release gives up owner's lease after a failure: the change is retried
	// by the reconciler from retryAt on, and cause is recorded on it.
	Release(ctx context.Context, uid, owner string, retryAt time.Time, cause string) error
	// Due lists up to limit uids whose pending change is not leased at now,
	// oldest lease expiry first.
	Due(ctx context.Context, now time.Time, limit int) ([]string, error)
}

// Pending is a recorded change not yet fully applied
// (privilegeChanges/{uid}).
type Pending struct {
	UID     string
	Version int64 // the users/{uid} claimsVersion to apply (or a later one)
	// Revoke, Eject and DropDevices are a ban's duties: revoke refresh
	// tokens, remove from every room, delete every push device. They stick
	// until the marker is cleared, even if an unban is recorded meanwhile:
	// a recorded ban always takes effect.
	Revoke, Eject, DropDevices bool
	// Delete is an account deletion's duty (account.go): besides the
	// ban's duties, erase the user's server-side data, delete the Auth
	// user and, with the marker, leave users/{uid} as a tombstone. It
	// sticks like the others.
	Delete bool
	// AuthCreated is the creation time (Unix ms) of the Auth account a
	// deletion was recorded for (-1: none existed, 0: unknown): an account
	// created later under the same uid is a different person and is never
	// revoked or deleted.
	AuthCreated int64
	// Actor and RequestID are the ban's or deletion's, for the rooms'
	// audit records.
	Actor, RequestID string
	UpdatedAt        time.Time
	LeaseOwner       string // "" for a reservation or a released lease
	LeaseUntil       time.Time
	Attempts         int64
	LastError        string
}

// ErrLeaseHeld is State.Lease's answer when another owner holds the lease.
var ErrLeaseHeld = errors.New("claims: pending change leased by another worker")

// maxRounds bounds the convergence loop of Manager.converge. Each round
// that repeats saw another committed change, so under N concurrent changes
// a round repeats at most N times; 16 covers the realistic case and turns a
// pathological storm into ErrContention (503, retryable) instead of a loop.
const maxRounds = 16
