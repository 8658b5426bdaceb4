package moderation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"cloud.google.com/go/firestore"
	firestorepb "cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/roomgate/roomgate/internal/audit"
	"github.com/roomgate/roomgate/internal/schema"
)

type blockDoc struct {
	CreatedAt time.Time `firestore:"createdAt"`
}

// reportDoc is reports/{sha256(reporter, room, message)}: one report per
// reporter and message.
type reportDoc struct {
	Reporter  string    `firestore:"reporter"`
	RoomID    string    `firestore:"roomId"`
	MessageID string    `firestore:"messageId"`
	SenderID  string    `firestore:"senderId"`
	Text      string    `firestore:"text"`
	Reason    string    `firestore:"reason"`
	Note      string    `firestore:"note"`
	CreatedAt time.Time `firestore:"createdAt"`
}

func (d reportDoc) report(id string) Report {
	return Report{ID: id, Reporter: d.Reporter, RoomID: d.RoomID, MessageID: d.MessageID, SenderID: d.SenderID,
		Text: d.Text, Reason: d.Reason, Note: d.Note, CreatedAt: d.CreatedAt.UTC()}
}

// messageDoc is the part of rooms/{id}/messages/{id} a report copies.
type messageDoc struct {
	SenderID string `firestore:"senderId"`
	Text     string `firestore:"text"`
}

// FirestoreStore implements Store.
type FirestoreStore struct {
	Client *firestore.Client
}

var _ Store = (*FirestoreStore)(nil)

func (s *FirestoreStore) blockRef(blocker, blocked string) *firestore.DocumentRef {
	return s.Client.Collection(schema.Users).Doc(blocker).Collection(schema.Blocks).Doc(blocked)
}

// Block implements Store. users/{blocker} is read in the transaction and
// a blocker it records as banned (a ban, or an account deletion pending or
// done) is refused with ErrBanned, so a request that passed the token
// checks before a deletion revoked the token cannot leave a block under
// the deleted account's tombstone. A new block beyond max is refused with
// ErrBlockCap (counted in the same transaction); repeating an existing
// block always succeeds.
func (s *FirestoreStore) Block(ctx context.Context, blocker, blocked string, now time.Time, max int) error {
	user := s.Client.Collection(schema.Users).Doc(blocker)
	return s.Client.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		ref := s.blockRef(blocker, blocked)
		snaps, err := tx.GetAll([]*firestore.DocumentRef{user, ref})
		if err != nil {
			return err
		}
		if snaps[0].Exists() && schema.UserBanned(snaps[0].Data()) {
			return ErrBanned
		}
		if snaps[1].Exists() {
			return nil
		}
		res, err := user.Collection(schema.Blocks).NewAggregationQuery().WithCount("n").Transaction(tx).Get(ctx)
		if err != nil {
			return err
		}
		if n, ok := countOf(res["n"]); !ok || n >= int64(max) {
			// An unreadable count refuses too: deny when unsure.
			return ErrBlockCap
		}
		return tx.Create(ref, blockDoc{CreatedAt: now})
	})
}

// countOf reads a count aggregation's result.
func countOf(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case *firestorepb.Value:
		if i, ok := x.GetValueType().(*firestorepb.Value_IntegerValue); ok {
			return i.IntegerValue, true
		}
	}
	return 0, false
}

// Unblock implements Store.
func (s *FirestoreStore) Unblock(ctx context.Context, blocker, blocked string) error {
	_, err := s.blockRef(blocker, blocked).Delete(ctx)
	return err
}

// Blocks implements Store.
func (s *FirestoreStore) Blocks(ctx context.Context, uid string, limit int) ([]Block, error) {
	docs, err := s.Client.Collection(schema.Users).Doc(uid).Collection(schema.Blocks).Limit(limit).Documents(ctx).GetAll()
	if err != nil {
		return nil, err
	}
	out := make([]Block, 0, len(docs))
	for _, d := range docs {
		var b blockDoc
		if err := d.DataTo(&b); err != nil {
			return nil, err
		}
		out = append(out, Block{UID: d.Ref.ID, CreatedAt: b.CreatedAt.UTC()})
	}
	return out, nil
}

// reportID is the report's document ID: one report per reporter and
// message, so repeating a report does not pile up.
func reportID(reporter, roomID, messageID string) string {
	sum := sha256.Sum256([]byte(reporter + "\x00" + roomID + "\x00" + messageID))
	return hex.EncodeToString(sum[:])
}

// Report implements Store. The reporter's member document is read first:
// a non-member is refused before the message is looked at.
func (s *FirestoreStore) Report(ctx context.Context, r Report, requestID string) (Report, bool, error) {
	var (
		out     Report
		created bool
	)
	id := reportID(r.Reporter, r.RoomID, r.MessageID)
	ref := s.Client.Collection(schema.Reports).Doc(id)
	room := s.Client.Collection(schema.Rooms).Doc(r.RoomID)
	err := s.Client.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		out, created = Report{}, false
		snaps, err := tx.GetAll([]*firestore.DocumentRef{room.Collection(schema.Members).Doc(r.Reporter), ref})
		if err != nil {
			return err
		}
		if !snaps[0].Exists() {
			return ErrRoomNotFound
		}
		if snaps[1].Exists() {
			var d reportDoc
			if err := snaps[1].DataTo(&d); err != nil {
				return err
			}
			out = d.report(id)
			return nil
		}
		msg, err := tx.Get(room.Collection(schema.Messages).Doc(r.MessageID))
		if status.Code(err) == codes.NotFound {
			return ErrMessageNotFound
		}
		if err != nil {
			return err
		}
		var m messageDoc
		if err := msg.DataTo(&m); err != nil {
			return err
		}
		d := reportDoc{Reporter: r.Reporter, RoomID: r.RoomID, MessageID: r.MessageID, SenderID: m.SenderID, Text: m.Text,
			Reason: r.Reason, Note: r.Note, CreatedAt: r.CreatedAt}
		if err := tx.Create(ref, d); err != nil {
			return err
		}
		out, created = d.report(id), true
		return audit.Write(tx, s.Client, audit.Record{Actor: r.Reporter, Target: r.RoomID, Action: audit.MessageReport,
			RequestID: requestID, Time: r.CreatedAt, Details: map[string]any{"reportId": id, "messageId": r.MessageID, "reason": r.Reason}})
	})
	return out, created, err
}

// newestFirst orders q by field, then document ID, both descending (no
// composite index needed), after the cursor.
func newestFirst(q firestore.Query, field string, limit int, after *Cursor) firestore.Query {
	q = q.OrderBy(field, firestore.Desc).OrderBy(firestore.DocumentID, firestore.Desc).Limit(limit)
	if after != nil {
		q = q.StartAfter(after.Time, after.ID)
	}
	return q
}

// Reports implements Store.
func (s *FirestoreStore) Reports(ctx context.Context, limit int, after *Cursor) ([]Report, error) {
	docs, err := newestFirst(s.Client.Collection(schema.Reports).Query, "createdAt", limit, after).Documents(ctx).GetAll()
	if err != nil {
		return nil, err
	}
	out := make([]Report, 0, len(docs))
	for _, d := range docs {
		var x reportDoc
		if err := d.DataTo(&x); err != nil {
			return nil, err
		}
		out = append(out, x.report(d.Ref.ID))
	}
	return out, nil
}

// Audit implements Store.
func (s *FirestoreStore) Audit(ctx context.Context, limit int, after *Cursor) ([]AuditEntry, error) {
	docs, err := newestFirst(s.Client.Collection(audit.Collection).Query, "time", limit, after).Documents(ctx).GetAll()
	if err != nil {
		return nil, err
	}
	out := make([]AuditEntry, 0, len(docs))
	for _, d := range docs {
		var rec audit.Record
		if err := d.DataTo(&rec); err != nil {
			return nil, err
		}
		out = append(out, AuditEntry{ID: d.Ref.ID, Actor: rec.Actor, Target: rec.Target, Action: string(rec.Action),
			RequestID: rec.RequestID, Time: rec.Time.UTC(), Details: rec.Details})
	}
	return out, nil
}
