package claims

import (
	"context"
	"fmt"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/roomgate/roomgate/internal/audit"
	"github.com/roomgate/roomgate/internal/schema"
)

// UsersCollection holds users/{uid}, the desired-claims documents.
const UsersCollection = schema.Users

// userDoc is users/{uid}. Clients may read their own (firestore.rules), so
// it holds nothing but roomgate's claims and the version.
type userDoc struct {
	Chat          bool   `firestore:"chat"`
	Role          string `firestore:"role"`
	Banned        bool   `firestore:"banned"`
	ClaimsVersion int64  `firestore:"claimsVersion"`
	// Deleted marks the tombstone of a deleted account (account.go);
	// absent on every other record.
	Deleted bool `firestore:"deleted"`
	// BannedBeforeDeletion is set on the tombstone of a user who was
	// banned when the deletion was recorded (deletion.go).
	BannedBeforeDeletion bool `firestore:"bannedBeforeDeletion"`
}

// FirestoreState implements State on users/{uid}.
type FirestoreState struct {
	Client *firestore.Client
	// MaxAttempts bounds transaction retries (0 = 25).
	MaxAttempts int
}

var _ State = (*FirestoreState)(nil)

func (s *FirestoreState) ref(uid string) *firestore.DocumentRef {
	return s.Client.Collection(UsersCollection).Doc(uid)
}

// Update implements State.
func (s *FirestoreState) Update(ctx context.Context, uid string, seed Desired, mutate Mutation, info AuditInfo, reserveUntil time.Time) (Desired, error) {
	n := s.MaxAttempts
	if n <= 0 {
		n = 25
	}
	var out Desired
	err := s.Client.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		d := seed
		d.Version = 0
		prev, hadPrev, err := s.readPending(tx, uid)
		if err != nil {
			return err
		}
		deleting := hadPrev && prev.Delete
		if deleting && info.Action != audit.UserBanned {
			return fmt.Errorf("%w: the account is being deleted", ErrUserNotFound)
		}
		snap, err := tx.Get(s.ref(uid))
		var u userDoc
		switch {
		case status.Code(err) == codes.NotFound:
		case err != nil:
			return err
		default:
			if err := snap.DataTo(&u); err != nil {
				return err
			}
			d = Desired{
				Chat: u.Chat, Role: u.Role, Banned: u.Banned, Version: u.ClaimsVersion,
				Deleted: u.Deleted, BannedBeforeDeletion: u.BannedBeforeDeletion,
			}
		}
		d.Deleting = deleting
		before := d
		changed, err := mutate(&d)
		if deleting && err != nil {
			return fmt.Errorf("%w: the account is being deleted", ErrUserNotFound)
		}
		if err != nil {
			return err
		}
		// Read-only for the mutation: Deleting, and Deleted but to lift it.
		d.Deleting, d.Deleted = deleting, d.Deleted && before.Deleted
		out = d
		if !changed {
			return nil
		}
		marked := before
		marked.BannedBeforeDeletion = true
		if !before.BannedBeforeDeletion && d == marked && (before.Deleted || deleting) {
			// A ban of a deleted account, or of one being deleted: the
			// tombstone remembers it (Done keeps the field), so that
			// lifting the tombstone later keeps the ban. Nothing else
			// changes: no new claims, no pending change.
			if err := tx.Set(s.ref(uid), map[string]any{schema.FieldBannedBeforeDeletion: true}, firestore.MergeAll); err != nil {
				return err
			}
			details := map[string]any{schema.FieldBannedBeforeDeletion: true, schema.FieldClaimsVersion: d.Version, "deletionPending": deleting}
			for k, v := range info.Details {
				details[k] = v
			}
			return audit.Write(tx, s.Client, audit.Record{
				Actor: info.Actor, Target: uid, Action: info.Action, RequestID: info.RequestID, Time: info.Time, Details: details,
			})
		}
		if deleting {
			// Deny by default: while a deletion is pending nothing but
			// the mark above may change.
			return fmt.Errorf("%w: the account is being deleted", ErrUserNotFound)
		}
		// lift: the mutation lifted a deleted account's tombstone (Unban,
		// Restore); the record is an ordinary one again.
		lift := u.Deleted && !d.Deleted
		d.Version++
		out = d
		fields := map[string]any{
			schema.FieldChat: d.Chat, schema.FieldRole: d.Role, schema.FieldBanned: d.Banned, schema.FieldClaimsVersion: d.Version,
		}
		switch {
		case lift:
			fields[schema.FieldDeleted] = false
			fields[schema.FieldBannedBeforeDeletion] = firestore.Delete
			out.BannedBeforeDeletion = false
		case d.Deleted && d.BannedBeforeDeletion:
			fields[schema.FieldBannedBeforeDeletion] = true
		}
		if err := tx.Set(s.ref(uid), fields, firestore.MergeAll); err != nil {
			return err
		}
		if err := s.recordPending(tx, uid, d, prev, hadPrev, info, reserveUntil); err != nil {
			return err
		}
		details := map[string]any{
			schema.FieldChat: d.Chat, schema.FieldRole: d.Role, schema.FieldBanned: d.Banned, schema.FieldClaimsVersion: d.Version,
		}
		if lift {
			details[schema.FieldDeleted] = false
		}
		for k, v := range info.Details {
			details[k] = v
		}
		return audit.Write(tx, s.Client, audit.Record{
			Actor: info.Actor, Target: uid, Action: info.Action, RequestID: info.RequestID, Time: info.Time, Details: details,
		})
	}, firestore.MaxAttempts(n))
	switch c := status.Code(err); {
	case c == codes.Aborted:
		return Desired{}, ErrContention
	case (c == codes.DeadlineExceeded || c == codes.Canceled) && ctx.Err() != nil:
		// The request's own timeout, reported as a gRPC status that does
		// not wrap ctx.Err(): wrap it, so callers answer 503 timeout
		// rather than 500.
		return Desired{}, fmt.Errorf("%w: %w", ctx.Err(), err)
	}
	return out, err
}

// Get implements State.
func (s *FirestoreState) Get(ctx context.Context, uid string) (Desired, bool, error) {
	snap, err := s.ref(uid).Get(ctx)
	if status.Code(err) == codes.NotFound {
		return Desired{}, false, nil
	}
	if err != nil {
		return Desired{}, false, err
	}
	var u userDoc
	if err := snap.DataTo(&u); err != nil {
		return Desired{}, false, err
	}
	return Desired{
		Chat: u.Chat, Role: u.Role, Banned: u.Banned, Version: u.ClaimsVersion,
		Deleted: u.Deleted, BannedBeforeDeletion: u.BannedBeforeDeletion,
	}, true, nil
}
