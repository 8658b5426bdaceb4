package claims

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Defaults of the Manager's pending-change handling.
const (
	// DefaultLeaseDuration is how long a worker owns a pending change.
	DefaultLeaseDuration = 30 * time.Second
	// DefaultGrace is how long a recorded change is left to its request.
	DefaultGrace = 5 * time.Second
)

const (
	// retryMin and retryMax bound the reconciler's backoff after a failed
	// attempt (doubling per attempt).
	retryMin = time.Second
	retryMax = 5 * time.Minute
	// releaseTimeout bounds giving a lease back after a failure, which
	// runs even when the caller's context has ended.
	releaseTimeout = 5 * time.Second
	// waitMin and waitMax bound the poll interval of a request waiting for
	// another worker to finish the user's pending change.
	waitMin = 5 * time.Millisecond
	waitMax = 200 * time.Millisecond
)

func (m *Manager) leaseDuration() time.Duration {
	if m.LeaseDuration > 0 {
		return m.LeaseDuration
	}
	return DefaultLeaseDuration
}

func (m *Manager) grace() time.Duration {
	if m.Grace > 0 {
		return m.Grace
	}
	return DefaultGrace
}

// newOwner names one attempt at applying a change: two requests in one
// process are as distinct as two processes.
func newOwner() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// pendingErr reports that a recorded change is not applied yet.
func pendingErr(cause error) error {
	return fmt.Errorf("%w: %w", ErrChangePending, cause)
}

// settle applies uid's pending change, if any, within the caller's
// request: it takes the lease (the request's own reservation included),
// waiting while another worker holds it, since that worker's loop picks
// up every version recorded meanwhile. It returns when the marker is
// gone; a failure is ErrChangePending and leaves the work to the
// reconciler.
func (m *Manager) settle(ctx context.Context, uid string) (Result, error) {
	owner := newOwner()
	wait := waitMin
	for {
		now := m.now()
		p, found, err := m.State.Lease(ctx, uid, owner, now, now.Add(m.leaseDuration()), true)
		switch {
		case errors.Is(err, ErrLeaseHeld):
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return Result{}, pendingErr(ctx.Err())
			case <-t.C:
			}
			wait = min(2*wait, waitMax)
			continue
		case err != nil:
			return Result{}, pendingErr(err)
		case !found:
			return m.current(ctx, uid)
		}
		return m.work(ctx, p, owner)
	}
}

// current reports the state of a user with nothing pending.
func (m *Manager) current(ctx context.Context, uid string) (Result, error) {
	d, _, err := m.State.Get(ctx, uid)
	if err != nil {
		return Result{}, err
	}
	u, err := m.user(ctx, uid)
	if err != nil {
		return Result{}, err
	}
	return Result{Claims: u.CustomClaims, Version: d.Version}, nil
}

// work applies p, whose lease owner holds, until its marker is cleared:
// each round applies the marker's state and duties, then clears the
// marker if no newer change landed meanwhile (else goes round again with
// the newer one). All of it runs under a deadline well inside the lease,
// so no worker acts on a lease that may have passed to another.
func (m *Manager) work(ctx context.Context, p Pending, owner string) (Result, error) {
	wctx, cancel := context.WithTimeout(ctx, m.leaseDuration()*2/3)
	defer cancel()
	left := 0
	for round := 0; round < maxRounds; round++ {
		res, err := m.applyOnce(wctx, p)
		left += res.RoomsLeft
		if err != nil {
			m.release(ctx, p, owner, err)
			return Result{}, pendingErr(err)
		}
		next, cleared, err := m.State.Done(wctx, p.UID, owner, res.Version)
		if err != nil {
			m.release(ctx, p, owner, err)
			return Result{}, pendingErr(err)
		}
		if cleared {
			res.RoomsLeft = left
			return res, nil
		}
		p = next
	}
	m.release(ctx, p, owner, ErrContention)
	return Result{}, pendingErr(ErrContention)
}

// applyOnce drives Auth and the rooms to p: claims converged to the
// current users/{uid}, then a ban's duties (revoke, eject, drop devices).
// Every step is idempotent. A user deleted from Auth meanwhile has no
// claims or tokens left, but is still removed from the rooms. A deletion
// has its own steps (applyDeletion).
func (m *Manager) applyOnce(ctx context.Context, p Pending) (Result, error) {
	if p.Delete {
		return m.applyDeletion(ctx, p)
	}
	res, err := m.converge(ctx, p.UID)
	gone := errors.Is(err, ErrUserNotFound)
	switch {
	case gone:
		res = Result{Version: p.Version}
	case err != nil:
		return Result{}, err
	case res.Version < p.Version:
		// users/{uid} older than its marker: only possible if the
		// document was removed by hand. Deny by default: leave it pending.
		return Result{}, fmt.Errorf("claims: users/%s is at version %d, its pending change at %d", p.UID, res.Version, p.Version)
	}
	if p.Revoke && !gone {
		if err := m.Auth.RevokeRefreshTokens(ctx, p.UID); err != nil {
			return Result{}, fmt.Errorf("claims: revoking refresh tokens: %w", err)
		}
	}
	if p.Eject {
		if m.Ejector == nil {
			return Result{}, errors.New("claims: a ban is pending but this manager cannot remove users from rooms")
		}
		n, err := m.Ejector.RemoveEverywhere(ctx, p.Actor, p.RequestID, p.UID, "ban")
		res.RoomsLeft = n
		if err != nil {
			return res, fmt.Errorf("claims: removing from rooms: %w", err)
		}
	}
	if p.DropDevices {
		if err := m.dropDevices(ctx, p.UID); err != nil {
			return res, err
		}
	}
	return res, nil
}

// release gives the lease back after a failure, so the reconciler retries
// after a backoff; it runs even when ctx has ended (a cancelled request),
// but not, of course, after a crash: then the lease simply expires.
func (m *Manager) release(ctx context.Context, p Pending, owner string, cause error) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	retry := retryMin
	for i := int64(0); i < p.Attempts && retry < retryMax; i++ {
		retry *= 2
	}
	_ = m.State.Release(rctx, p.UID, owner, m.now().Add(min(retry, retryMax)), cause.Error())
}

// dropDevices deletes uid's push devices, refusing (the change stays
// pending) when this Manager has no DeviceDropper.
func (m *Manager) dropDevices(ctx context.Context, uid string) error {
	if m.Devices == nil {
		return errors.New("claims: a ban or deletion is pending but this manager cannot drop push devices")
	}
	if _, err := m.Devices.DropUser(ctx, uid); err != nil {
		return fmt.Errorf("claims: dropping push devices: %w", err)
	}
	return nil
}
