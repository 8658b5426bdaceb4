package rooms

// deletion.go makes room deletion durable and resumable.
//
// Deleting a room is two steps. The room's transaction (Delete, or the
// last member leaving in RemoveMember) removes the room document, every
// member document, every index entry and the direct-room entry, and in the
// same commit writes a tombstone, deletions/{roomId}. From that commit on
// the rules deny every client access to the room (membership is gone) and
// a second DELETE is a 404. The messages, then the members' push mutes,
// read markers, typing indicators and posting records, are then swept in
// chunks by SweepDeletion, which deletes the tombstone in the commit that
// deletes the last chunk. A crash between the two steps, or in the middle of the
// sweep, leaves the tombstone: PendingDeletions finds it and any instance
// (a restart, or another replica's Sweeper) finishes the job. Until then
// the messages and member state are unreachable, not orphaned: the
// tombstone accounts for them.
//
// Two sweepers never sweep one room together: each chunk's transaction
// reads the tombstone and takes or renews a lease on it (leaseHolder,
// leaseUntil), and refuses with ErrLeaseHeld while another holder's lease
// runs. A sweeper that dies leaves its lease to expire.

import (
	"context"
	"errors"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/roomgate/roomgate/internal/schema"
)

// DeletionsCollection holds the tombstones (server-only; the rules'
// default deny covers it).
const DeletionsCollection = schema.Deletions

// ErrLeaseHeld: another sweeper holds the lease on a tombstone.
var ErrLeaseHeld = errors.New("rooms: another sweeper holds this room's deletion lease")

// Lease names the sweeper that sweeps and how long each of its steps may
// hold the tombstone. The lease is judged by the sweeper's clock (Now, or
// time.Now), so TTL must be well above the clock skew between instances
// and above one chunk's transaction time.
type Lease struct {
	Holder string
	TTL    time.Duration
	Now    func() time.Time
}

func (l Lease) now() time.Time {
	if l.Now != nil {
		return l.Now().UTC()
	}
	return time.Now().UTC()
}

// tombstoneDoc is deletions/{roomId}.
type tombstoneDoc struct {
	RequestedAt time.Time `firestore:"requestedAt"`
	RequestedBy string    `firestore:"requestedBy"`
	Reason      string    `firestore:"reason"`
	// LeaseHolder and LeaseUntil are the sweeper holding the room; a new
	// tombstone has an empty holder and LeaseUntil = RequestedAt, so it is
	// due at once.
	LeaseHolder string    `firestore:"leaseHolder"`
	LeaseUntil  time.Time `firestore:"leaseUntil"`
	// Swept counts the messages deleted so far.
	Swept int64 `firestore:"swept"`
}

// fieldLeaseUntil is tombstoneDoc.LeaseUntil's name, for the query.
const fieldLeaseUntil = "leaseUntil"

func (s *FirestoreStore) tombstoneRef(roomID string) *firestore.DocumentRef {
	return s.Client.Collection(DeletionsCollection).Doc(roomID)
}

// writeTombstone adds the tombstone to a room transaction that deletes the
// room. A tombstone left from an earlier deletion of the same ID (room IDs
// are random, so only a re-created direct room could share one, and it
// does not) is overwritten: the sweep it stands for is the same.
func (s *FirestoreStore) writeTombstone(tx *firestore.Transaction, roomID, actor, reason string, now time.Time) error {
	return tx.Set(s.tombstoneRef(roomID), tombstoneDoc{RequestedAt: now, RequestedBy: actor, Reason: reason, LeaseUntil: now})
}

// sweepChunk is how many documents one sweep transaction deletes: with the
// tombstone's own write it stays under Firestore's 500 writes per commit.
const sweepChunk = 400

// sweptCollections are the room's subcollections the sweep deletes, in
// order: the messages (counted in the tombstone's swept), then the
// members' push mutes, read markers, typing indicators and posting records
// (posting records outlive an ordinary leave, so former members' are among
// them). None of them is written by anyone once the room is tombstoned:
// the rules deny clients (the members are gone) and the service finds no
// room.
var sweptCollections = []string{MessagesCollection, schema.PushMutes, schema.Reads, schema.Typing, schema.Posting}

// SweepDeletion implements Store: it deletes the documents of tombstoned
// room roomID's subcollections (sweptCollections) in chunks of sweepChunk,
// one transaction each, and the tombstone with the last chunk. Each
// chunk's transaction takes or renews the lease on the tombstone first, so
// it returns ErrLeaseHeld (having done nothing more) when another live
// sweeper holds it. A room without a tombstone is done already: nil. An
// error or a cancelled ctx leaves the tombstone with the progress so far,
// for a later sweep to resume.
func (s *FirestoreStore) SweepDeletion(ctx context.Context, roomID string, lease Lease) error {
	for i, col := range sweptCollections {
		done, err := s.sweepCollection(ctx, roomID, col, i == len(sweptCollections)-1, lease)
		if err != nil || done {
			return err
		}
	}
	return nil
}

// sweepCollection deletes the documents of roomID's subcollection col in
// chunks under the tombstone's lease (see SweepDeletion); with last set,
// the commit of its last chunk deletes the tombstone too. done reports
// that the tombstone is gone (deleted here, or by another sweeper before).
func (s *FirestoreStore) sweepCollection(ctx context.Context, roomID, col string, last bool, lease Lease) (done bool, err error) {
	q0 := s.roomRef(roomID).Collection(col).Select().OrderBy(firestore.DocumentID, firestore.Asc).Limit(sweepChunk)
	ref := s.tombstoneRef(roomID)
	var after *firestore.DocumentSnapshot
	for {
		// The chunk is read outside the transaction: nobody can add a
		// document to a tombstoned room (sweptCollections), so what the
		// query finds stays true, and a transactional query would lock
		// the whole range of the collection. Each chunk starts after the
		// last one instead of at the start of the collection, so it does
		// not skip over the index entries of everything deleted so far
		// (slow in Firestore and in the emulators alike).
		q := q0
		if after != nil {
			q = q.StartAfter(after)
		}
		docs, err := q.Documents(ctx).GetAll()
		if err != nil {
			return false, txnError(ctx, err)
		}
		end := len(docs) < sweepChunk
		if end && len(docs) == 0 && !last {
			return false, nil
		}
		err = s.run(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
			done = false
			snap, err := tx.Get(ref)
			if status.Code(err) == codes.NotFound {
				done = true
				return nil
			}
			if err != nil {
				return err
			}
			var t tombstoneDoc
			if err := snap.DataTo(&t); err != nil {
				return err
			}
			now := lease.now()
			if t.LeaseHolder != "" && t.LeaseHolder != lease.Holder && now.Before(t.LeaseUntil) {
				return ErrLeaseHeld
			}
			for _, d := range docs {
				if err := tx.Delete(d.Ref); err != nil {
					return err
				}
			}
			if end && last {
				done = true
				return tx.Delete(ref)
			}
			ups := []firestore.Update{
				{Path: "leaseHolder", Value: lease.Holder},
				{Path: fieldLeaseUntil, Value: now.Add(lease.TTL)},
			}
			if col == MessagesCollection {
				ups = append(ups, firestore.Update{Path: "swept", Value: firestore.Increment(len(docs))})
			}
			return tx.Update(ref, ups)
		})
		if err != nil || done || end {
			return done, err
		}
		after = docs[len(docs)-1]
	}
}

// PendingDeletions implements Store: up to limit rooms whose tombstone's
// lease has run out at now (new tombstones included), the longest due
// first.
func (s *FirestoreStore) PendingDeletions(ctx context.Context, now time.Time, limit int) ([]string, error) {
	docs, err := s.Client.Collection(DeletionsCollection).Where(fieldLeaseUntil, "<=", now).
		OrderBy(fieldLeaseUntil, firestore.Asc).Select().Limit(limit).Documents(ctx).GetAll()
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.Ref.ID
	}
	return ids, nil
}
