package app

import (
	"context"
	"fmt"

	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/roomgate/roomgate/internal/claims"
	"github.com/roomgate/roomgate/internal/schema"
)

// eraser is the claims manager's Eraser: an account deletion removes the
// server-side documents that identify the user and that no other duty of
// the deletion covers:
//
//   - profiles/{uid} and profileSettings/{uid};
//   - userLookup/{key}, the email lookup entry, if it still names uid;
//   - users/{uid}/blocks/*, the user's blocks;
//   - the slow-mode posting records the user kept in rooms it left
//     (an ordinary leave keeps them), found through
//     users/{uid}/keptPosting/{roomId}, and those notes.
//
// Room memberships, the index and the push mutes (each room's in the
// transaction that removes the member) go with the ejection, devices with
// the device duty; users/{uid} stays as the account's tombstone. The
// work here is bounded (one profile, the blocks), whatever the number of
// rooms (blocks are capped; blocks and kept posting records are deleted
// in chunks), so it never eats the
// time the ejection needs. Kept on purpose: audit
// records, message reports, the messages the user wrote (the other
// members' conversation), and other users' blocks of this uid (their
// safety choice, not the deleted user's data). Every step is idempotent.
type eraser struct {
	fs *firestore.Client
}

var _ claims.Eraser = eraser{}

// EraseUser implements claims.Eraser.
func (e eraser) EraseUser(ctx context.Context, uid string) error {
	if err := e.profile(ctx, uid); err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	user := e.fs.Collection(schema.Users).Doc(uid)
	if err := e.deleteAll(ctx, user.Collection(schema.Blocks), nil); err != nil {
		return fmt.Errorf("blocks: %w", err)
	}
	kept := func(roomID string) *firestore.DocumentRef {
		return e.fs.Collection(schema.Rooms).Doc(roomID).Collection(schema.Posting).Doc(uid)
	}
	if err := e.deleteAll(ctx, user.Collection(schema.KeptPosting), kept); err != nil {
		return fmt.Errorf("kept posting records: %w", err)
	}
	return nil
}

// profile deletes the profile, its settings and the lookup entry they
// point to, in one transaction (as profiles.FirestoreStore.Put writes
// them), so a crash never leaves a lookup entry without its settings.
func (e eraser) profile(ctx context.Context, uid string) error {
	settings := e.fs.Collection(schema.ProfileSettings).Doc(uid)
	return e.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		snap, err := tx.Get(settings)
		if err != nil && status.Code(err) != codes.NotFound {
			return err
		}
		var lookup *firestore.DocumentRef
		if snap.Exists() {
			key, _ := snap.Data()["lookupKey"].(string)
			if key != "" {
				ref := e.fs.Collection(schema.UserLookup).Doc(key)
				ls, err := tx.Get(ref)
				if err != nil && status.Code(err) != codes.NotFound {
					return err
				}
				if owner, _ := ls.Data()["uid"].(string); ls.Exists() && owner == uid {
					lookup = ref
				}
			}
		}
		for _, ref := range []*firestore.DocumentRef{e.fs.Collection(schema.Profiles).Doc(uid), settings, lookup} {
			if ref == nil {
				continue
			}
			if err := tx.Delete(ref); err != nil {
				return err
			}
		}
		return nil
	})
}

// eraseChunk is how many documents one commit of deleteAll deletes
// (within Firestore's 500 writes per commit).
const eraseChunk = 400

// deleteAll deletes every document of col (no subcollections) and, with
// also set, the document also names for each one's ID, in chunks of
// eraseChunk writes, one commit each, so the time and the commit size stay
// bounded, and an attempt that runs out of time keeps the chunks it
// committed: the next attempt (a retry, the reconciler) goes on from what
// is left. A user holds at most moderation.MaxBlocks blocks, so a deletion
// takes a few chunks at most; kept posting notes number the rooms the user
// left with a posting record.
func (e eraser) deleteAll(ctx context.Context, col *firestore.CollectionRef, also func(id string) *firestore.DocumentRef) error {
	chunk := eraseChunk
	if also != nil {
		chunk /= 2
	}
	q := col.Select().OrderBy(firestore.DocumentID, firestore.Asc).Limit(chunk)
	for {
		docs, err := q.Documents(ctx).GetAll()
		if err != nil {
			return err
		}
		if len(docs) == 0 {
			return nil
		}
		err = e.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
			for _, d := range docs {
				if also != nil {
					if err := tx.Delete(also(d.Ref.ID)); err != nil {
						return err
					}
				}
				if err := tx.Delete(d.Ref); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(docs) < chunk {
			return nil
		}
		// Start after the last one deleted rather than at the start,
		// so the next query does not skip over the index entries of
		// everything deleted so far.
		q = q.StartAfter(docs[len(docs)-1])
	}
}
