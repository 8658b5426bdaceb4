package claims

import (
	"context"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/roomgate/roomgate/internal/audit"
	"github.com/roomgate/roomgate/internal/schema"
)

// RecordDeletion implements State.
func (s *FirestoreState) RecordDeletion(ctx context.Context, uid string, authCreated int64, info AuditInfo, reserveUntil time.Time) (bool, error) {
	recorded := false
	err := s.Client.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		recorded = false
		prev, hadPrev, err := s.readPending(tx, uid)
		if err != nil {
			return err
		}
		if hadPrev && prev.Delete {
			return nil // already recorded; its request or the reconciler finishes it
		}
		var u userDoc
		snap, err := tx.Get(s.ref(uid))
		switch {
		case status.Code(err) == codes.NotFound:
			if authCreated < 0 && !hadPrev {
				return ErrUserNotFound
			}
		case err != nil:
			return err
		default:
			if err := snap.DataTo(&u); err != nil {
				return err
			}
			if u.Deleted && authCreated < 0 && !hadPrev {
				// Only the tombstone of a finished deletion is left:
				// nothing to delete.
				return ErrUserNotFound
			}
		}
		version := u.ClaimsVersion + 1
		fields := map[string]any{
			schema.FieldChat: false, schema.FieldRole: "", schema.FieldBanned: true, schema.FieldClaimsVersion: version,
		}
		// Whether the user was banned before this deletion (a ban, or a
		// ban recorded and still being applied: users/{uid} says banned
		// either way). A tombstone deleted again (a re-signup under the
		// uid) keeps what its first deletion recorded.
		if u.Deleted && u.BannedBeforeDeletion || !u.Deleted && u.Banned {
			fields[schema.FieldBannedBeforeDeletion] = true
		} else {
			fields[schema.FieldBannedBeforeDeletion] = firestore.Delete
		}
		if err := tx.Set(s.ref(uid), fields, firestore.MergeAll); err != nil {
			return err
		}
		p := prev
		if !hadPrev {
			p = pendingDoc{}
		}
		p.Version, p.UpdatedAt = version, info.Time
		p.Revoke, p.Eject, p.DropDevices, p.Delete = true, true, true, true
		p.AuthCreated = authCreated
		p.Actor, p.RequestID = info.Actor, info.RequestID
		reserve(&p, info.Time, reserveUntil)
		if err := tx.Set(s.pendingRef(uid), p); err != nil {
			return err
		}
		details := map[string]any{schema.FieldClaimsVersion: version}
		for k, v := range info.Details {
			details[k] = v
		}
		recorded = true
		return audit.Write(tx, s.Client, audit.Record{
			Actor: info.Actor, Target: uid, Action: info.Action, RequestID: info.RequestID, Time: info.Time, Details: details,
		})
	}, firestore.MaxAttempts(s.attempts()))
	if status.Code(err) == codes.Aborted {
		return false, ErrContention
	}
	return recorded, err
}
