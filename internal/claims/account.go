package claims

import (
	"context"
	"errors"
	"fmt"

	"firebase.google.com/go/v4/auth"

	"github.com/roomgate/roomgate/internal/audit"
)

// Account deletion is durable like a ban: the request records the
// intent (users/{uid} banned without chat or role, and a marker with the
// Delete duty), then applies it under the marker's lease; whatever it
// cannot finish the reconciler finishes. The duties, each idempotent, in
// this order:
//
//  1. converge the Auth custom claims to users/{uid} (banned, no chat, no
//     role), as a ban does, so a token minted while the deletion is
//     unfinished (a new sign-in) admits the user nowhere;
//  2. revoke the refresh tokens (no new ID tokens; mutating routes refuse
//     the current ones at once);
//  3. erase the user's data through the Eraser (profile, lookup entry,
//     blocks); the push mute of each room goes with the membership;
//  4. remove the user from every room, one transaction per room, so each
//     attempt keeps the rooms it finished (rooms they own pass to the next
//     member as on a leave, the last one out deletes the room);
//  5. drop the push devices;
//  6. delete the Auth user (NotFound counts as done);
//
// and then Done deletes the marker and turns users/{uid} into the
// account's tombstone: {banned: true, deleted: true, chat: false, role:
// ""} with its claimsVersion (and bannedBeforeDeletion, see below), and
// nothing under it. Audit records,
// reports and the messages the user wrote stay: they belong to the rooms
// and to moderation, not to the account.
//
// The tombstone is kept for every deleted uid, not only for banned users:
// it is what every check of roomgate reads (Admit, the room transactions,
// device registration, the rules), so a banned user cannot shed the ban by
// deleting the account and signing in again under the same uid (custom
// tokens), and a request that looked the user up before the deletion
// finished cannot recreate state for the uid (an add-member transaction
// reads the tombstone and refuses; Update never seeds over it). The price
// is that a re-signup under a deleted uid is refused (403 banned) until
// an admin lifts the tombstone (DELETE /v1/admin/users/{uid}/ban, once
// the uid has an Auth user again), which makes the record an ordinary one
// again: the safe choice, since uids of email and provider sign-ins are
// never reused by Firebase anyway. A user banned when the deletion was
// recorded, or banned by an admin while it was pending or after it (Ban),
// gets bannedBeforeDeletion on the tombstone: a deletion never sheds a
// ban. Lifting such a tombstone takes two explicit steps: Unban refuses
// it (ErrBannedBeforeDeletion) and Restore lifts only the tombstone,
// keeping the ban, which a later Unban lifts; each step is idempotent, so
// a retried call never lifts more than it meant to. A tombstone without
// the mark is lifted by Unban alone. The tombstone holds no personal data.
//
// The marker names the Auth account by its creation time: if the uid was
// signed up again before the reconciler finished (possible with custom
// tokens or an explicit uid), steps 2 and 6 leave the new account alone;
// steps 1 and 3 to 5 still run (step 1 only writes what users/{uid}
// already says of the uid), so the new account inherits nothing.

// DeleteAccount deletes target's account: self-service when actor ==
// target, else an admin's. It records the deletion and applies it; it
// returns nil once everything is done and ErrChangePending when the
// deletion is recorded but not finished (a retry finishes it). A uid with
// no Auth user (deleted outside roomgate, or by an earlier attempt) is
// still cleaned up when roomgate holds a record of it (users/{uid} or a
// pending change); with neither the answer is ErrUserNotFound.
func (m *Manager) DeleteAccount(ctx context.Context, actor, requestID, target string) (Result, error) {
	created := noAuthAccount
	user, err := m.user(ctx, target)
	switch {
	case errors.Is(err, ErrUserNotFound):
	case err != nil:
		return Result{}, err
	case user.UserMetadata != nil:
		created = user.UserMetadata.CreationTimestamp
	default:
		created = 0
	}
	by := "admin"
	if actor == target {
		by = "self"
	}
	info := AuditInfo{Actor: actor, RequestID: requestID, Action: audit.UserDeleted, Details: map[string]any{"by": by}, Time: m.now()}
	if _, err := m.State.RecordDeletion(ctx, target, created, info, info.Time.Add(m.grace())); err != nil {
		return Result{}, err
	}
	res, err := m.settle(ctx, target)
	if errors.Is(err, ErrUserNotFound) && !errors.Is(err, ErrChangePending) {
		// Nothing pending any more (another worker finished meanwhile)
		// and no user: the deletion is done.
		return Result{}, nil
	}
	return res, err
}

// noAuthAccount is Pending.AuthCreated of a deletion recorded when the uid
// had no Auth user: no Auth account is ever revoked or deleted for it.
const noAuthAccount int64 = -1

// applyDeletion carries out a deletion's duties (see the top of this
// file). The Auth steps apply only to the account the deletion was
// recorded for.
func (m *Manager) applyDeletion(ctx context.Context, p Pending) (Result, error) {
	if m.Ejector == nil || m.Eraser == nil || m.Devices == nil {
		return Result{}, errors.New("claims: a deletion is pending but this manager cannot carry out all its duties")
	}
	u, err := m.Auth.GetUser(ctx, p.UID)
	exists, sameAccount := err == nil, false
	switch {
	case auth.IsUserNotFound(err):
	case err != nil:
		return Result{}, fmt.Errorf("claims: looking up user: %w", err)
	default:
		// AuthCreated 0: the account's creation time was unknown when
		// the deletion was recorded; the uid is the only name left.
		sameAccount = p.AuthCreated == 0 || (p.AuthCreated > 0 && u.UserMetadata != nil && u.UserMetadata.CreationTimestamp == p.AuthCreated)
	}
	if exists {
		// Banned, no chat, no role, as users/{uid} says since the
		// deletion was recorded (Update refuses every change meanwhile).
		if _, err := m.converge(ctx, p.UID); err != nil && !errors.Is(err, ErrUserNotFound) {
			return Result{}, fmt.Errorf("claims: converging claims: %w", err)
		}
	}
	if sameAccount {
		if err := m.Auth.RevokeRefreshTokens(ctx, p.UID); err != nil && !auth.IsUserNotFound(err) {
			return Result{}, fmt.Errorf("claims: revoking refresh tokens: %w", err)
		}
	}
	if err := m.Eraser.EraseUser(ctx, p.UID); err != nil {
		return Result{}, fmt.Errorf("claims: erasing user data: %w", err)
	}
	n, err := m.Ejector.RemoveEverywhere(ctx, p.Actor, p.RequestID, p.UID, "account deleted")
	res := Result{Version: p.Version, RoomsLeft: n}
	if err != nil {
		return res, fmt.Errorf("claims: removing from rooms: %w", err)
	}
	if err := m.dropDevices(ctx, p.UID); err != nil {
		return res, err
	}
	if sameAccount {
		if err := m.Auth.DeleteUser(ctx, p.UID); err != nil && !auth.IsUserNotFound(err) {
			return res, fmt.Errorf("claims: deleting the Auth user: %w", err)
		}
	}
	return res, nil
}
