package claims

import (
	"context"
	"fmt"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/roomgate/roomgate/internal/schema"
)

// pendingDoc is privilegeChanges/{uid}, the marker of a recorded change
// that is not yet fully applied. Server-only: firestore.rules has no rule
// for the collection, so clients can neither read nor write it.
type pendingDoc struct {
	Version int64 `firestore:"version"`
	Revoke  bool  `firestore:"revoke"`
	Eject   bool  `firestore:"eject"`
	// DropDevices is absent (false) on markers of bans recorded before it
	// existed; pending() derives it from Eject for those.
	DropDevices bool      `firestore:"dropDevices"`
	Delete      bool      `firestore:"delete"`
	AuthCreated int64     `firestore:"authCreated"`
	Actor       string    `firestore:"actor"`
	RequestID   string    `firestore:"requestId"`
	UpdatedAt   time.Time `firestore:"updatedAt"`
	LeaseOwner  string    `firestore:"leaseOwner"`
	LeaseUntil  time.Time `firestore:"leaseUntil"`
	Attempts    int64     `firestore:"attempts"`
	LastError   string    `firestore:"lastError"`
}

// Field names the queries and partial updates address.
const (
	fieldLeaseOwner = "leaseOwner"
	fieldLeaseUntil = "leaseUntil"
	fieldAttempts   = "attempts"
	fieldLastError  = "lastError"
	// maxErrorLen bounds the recorded cause of a failure.
	maxErrorLen = 500
)

func (p pendingDoc) pending(uid string) Pending {
	return Pending{
		UID: uid, Version: p.Version, Revoke: p.Revoke, Eject: p.Eject, DropDevices: p.DropDevices || p.Eject,
		Delete: p.Delete, AuthCreated: p.AuthCreated, Actor: p.Actor, RequestID: p.RequestID,
		UpdatedAt: p.UpdatedAt, LeaseOwner: p.LeaseOwner, LeaseUntil: p.LeaseUntil, Attempts: p.Attempts, LastError: p.LastError,
	}
}

func (s *FirestoreState) pendingRef(uid string) *firestore.DocumentRef {
	return s.Client.Collection(schema.PrivilegeChanges).Doc(uid)
}

// readPending reads uid's marker in tx; ok is false when there is none.
func (s *FirestoreState) readPending(tx *firestore.Transaction, uid string) (pendingDoc, bool, error) {
	snap, err := tx.Get(s.pendingRef(uid))
	if status.Code(err) == codes.NotFound {
		return pendingDoc{}, false, nil
	}
	if err != nil {
		return pendingDoc{}, false, err
	}
	var p pendingDoc
	if err := snap.DataTo(&p); err != nil {
		return pendingDoc{}, false, fmt.Errorf("claims: decoding %s: %w", snap.Ref.Path, err)
	}
	return p, true, nil
}

// recordPending writes the marker for the change to d in tx. A ban adds
// the revoke, eject and device duties; duties already recorded stay. A live lease
// held by a worker stays with it (its apply loop sees the new version);
// otherwise the marker is reserved for the recording request until
// reserveUntil, so the reconciler leaves it alone while the request works.
func (s *FirestoreState) recordPending(tx *firestore.Transaction, uid string, d Desired, prev pendingDoc, hadPrev bool, info AuditInfo, reserveUntil time.Time) error {
	p := prev
	if !hadPrev {
		p = pendingDoc{}
	}
	p.Version = d.Version
	p.UpdatedAt = info.Time
	if d.Banned && !p.Delete {
		p.Revoke, p.Eject, p.DropDevices = true, true, true
		p.Actor, p.RequestID = info.Actor, info.RequestID
	}
	reserve(&p, info.Time, reserveUntil)
	return tx.Set(s.pendingRef(uid), p)
}

// reserve keeps a live lease held by a worker with it, else reserves the
// marker for the recording request until reserveUntil.
func reserve(p *pendingDoc, now, reserveUntil time.Time) {
	if p.LeaseOwner == "" || !p.LeaseUntil.After(now) {
		p.LeaseOwner, p.LeaseUntil = "", reserveUntil
	}
}

// Lease implements State.
func (s *FirestoreState) Lease(ctx context.Context, uid, owner string, now, until time.Time, takeReserved bool) (Pending, bool, error) {
	var out Pending
	found := false
	err := s.Client.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		found = false
		p, ok, err := s.readPending(tx, uid)
		if err != nil || !ok {
			return err
		}
		free := !p.LeaseUntil.After(now) || p.LeaseOwner == owner || (takeReserved && p.LeaseOwner == "")
		if !free {
			return ErrLeaseHeld
		}
		p.LeaseOwner, p.LeaseUntil = owner, until
		found, out = true, p.pending(uid)
		return tx.Update(s.pendingRef(uid), []firestore.Update{
			{Path: fieldLeaseOwner, Value: owner}, {Path: fieldLeaseUntil, Value: until},
		})
	}, firestore.MaxAttempts(s.attempts()))
	if err != nil {
		return Pending{}, false, err
	}
	return out, found, nil
}

// Done implements State.
func (s *FirestoreState) Done(ctx context.Context, uid, owner string, applied int64) (Pending, bool, error) {
	var next Pending
	cleared := false
	err := s.Client.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		cleared = false
		p, ok, err := s.readPending(tx, uid)
		if err != nil {
			return err
		}
		if !ok {
			cleared = true
			return nil
		}
		if p.LeaseOwner != owner {
			return fmt.Errorf("%w: lease lost to %q", ErrLeaseHeld, p.LeaseOwner)
		}
		if p.Version <= applied {
			cleared = true
			if p.Delete {
				// users/{uid} becomes the account's tombstone (see
				// tombstone in account.go), with the marker gone.
				if err := tx.Set(s.ref(uid), map[string]any{
					schema.FieldChat: false, schema.FieldRole: "", schema.FieldBanned: true, schema.FieldDeleted: true,
				}, firestore.MergeAll); err != nil {
					return err
				}
			}
			return tx.Delete(s.pendingRef(uid))
		}
		next = p.pending(uid)
		return nil
	}, firestore.MaxAttempts(s.attempts()))
	if err != nil {
		return Pending{}, false, err
	}
	return next, cleared, nil
}

// Release implements State. It changes nothing when owner no longer holds
// the lease (it expired and another worker took it).
func (s *FirestoreState) Release(ctx context.Context, uid, owner string, retryAt time.Time, cause string) error {
	if len(cause) > maxErrorLen {
		cause = cause[:maxErrorLen]
	}
	return s.Client.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		p, ok, err := s.readPending(tx, uid)
		if err != nil || !ok || p.LeaseOwner != owner {
			return err
		}
		return tx.Update(s.pendingRef(uid), []firestore.Update{
			{Path: fieldLeaseOwner, Value: ""}, {Path: fieldLeaseUntil, Value: retryAt},
			{Path: fieldAttempts, Value: firestore.Increment(1)}, {Path: fieldLastError, Value: cause},
		})
	}, firestore.MaxAttempts(s.attempts()))
}

// Due implements State.
func (s *FirestoreState) Due(ctx context.Context, now time.Time, limit int) ([]string, error) {
	snaps, err := s.Client.Collection(schema.PrivilegeChanges).
		Where(fieldLeaseUntil, "<=", now).OrderBy(fieldLeaseUntil, firestore.Asc).Limit(limit).
		Documents(ctx).GetAll()
	if err != nil {
		return nil, err
	}
	uids := make([]string, 0, len(snaps))
	for _, snap := range snaps {
		uids = append(uids, snap.Ref.ID)
	}
	return uids, nil
}

func (s *FirestoreState) attempts() int {
	if s.MaxAttempts <= 0 {
		return 25
	}
	return s.MaxAttempts
}
