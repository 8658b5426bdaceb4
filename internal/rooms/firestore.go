package rooms

// firestore.go implements Store on Cloud Firestore. Map:
//   - document shapes (roomDoc, memberDoc, indexDoc, directDoc, idemDoc);
//   - FirestoreStore and its transactions: Create, AddMembers, RemoveMember,
//     Delete; the reads Replay, Get, List, IndexRoomIDs (deletion.go has
//     the tombstones and their sweep);
//   - helpers shared by the transactions.
// Firestore transactions must do all reads before any write, so each
// transaction below is written as "read everything, decide, write".

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/roomgate/roomgate/internal/audit"
	"github.com/roomgate/roomgate/internal/schema"
)

// Collection names of the data model and of the server-only collections
// (the vocabulary is internal/schema's).
const (
	RoomsCollection       = schema.Rooms
	MembersCollection     = schema.Members
	MessagesCollection    = schema.Messages
	UsersCollection       = schema.Users
	UserRoomsCollection   = schema.UserRooms // users/{uid}/rooms
	DirectRoomsCollection = schema.DirectRooms
	IdempotencyCollection = schema.Idempotency
)

type roomDoc struct {
	CreatedBy   string    `firestore:"createdBy"`
	CreatedAt   time.Time `firestore:"createdAt"`
	Title       string    `firestore:"title"`
	Kind        string    `firestore:"kind"`
	MemberCount int64     `firestore:"memberCount"`
	// PushPreview is absent on new rooms (off).
	PushPreview bool `firestore:"pushPreview,omitempty"`
}

type memberDoc struct {
	Role     string    `firestore:"role"`
	AddedBy  string    `firestore:"addedBy"`
	JoinedAt time.Time `firestore:"joinedAt"`
}

type indexDoc struct {
	Title    string    `firestore:"title"`
	Kind     string    `firestore:"kind"`
	Role     string    `firestore:"role"`
	JoinedAt time.Time `firestore:"joinedAt"`
}

// directDoc maps a pair digest to its direct room.
type directDoc struct {
	RoomID string `firestore:"roomId"`
}

// idemDoc remembers the outcome of a create under an Idempotency-Key:
// the room exactly as the first request returned it, and whether it was
// created. The TTL policy on expiresAt in firestore.indexes.json deletes
// old records.
type idemDoc struct {
	BodyHash string `firestore:"bodyHash"`
	// Room and Created are the outcome. Room is nil only in records of an
	// earlier version, which hold Status and Body (a rendered response)
	// instead.
	Room      *idemRoom `firestore:"room,omitempty"`
	Created   bool      `firestore:"created"`
	Status    int64     `firestore:"status,omitempty"`
	Body      string    `firestore:"body,omitempty"`
	CreatedAt time.Time `firestore:"createdAt"`
	ExpiresAt time.Time `firestore:"expiresAt"`
}

// idemRoom is a Room as remembered in an idempotency record.
type idemRoom struct {
	ID          string       `firestore:"id"`
	Title       string       `firestore:"title"`
	Kind        string       `firestore:"kind"`
	CreatedBy   string       `firestore:"createdBy"`
	CreatedAt   time.Time    `firestore:"createdAt"`
	MemberCount int64        `firestore:"memberCount"`
	Members     []idemMember `firestore:"members"`
}

type idemMember struct {
	UID      string    `firestore:"uid"`
	Role     string    `firestore:"role"`
	AddedBy  string    `firestore:"addedBy"`
	JoinedAt time.Time `firestore:"joinedAt"`
}

func toIdemRoom(r Room) *idemRoom {
	out := &idemRoom{ID: r.ID, Title: r.Title, Kind: string(r.Kind), CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt, MemberCount: int64(r.MemberCount), Members: make([]idemMember, len(r.Members))}
	for i, m := range r.Members {
		out.Members[i] = idemMember{UID: m.UID, Role: string(m.Role), AddedBy: m.AddedBy, JoinedAt: m.JoinedAt}
	}
	return out
}

func (r *idemRoom) room() Room {
	out := Room{ID: r.ID, Title: r.Title, Kind: Kind(r.Kind), CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt.UTC(), MemberCount: int(r.MemberCount), Members: make([]Member, len(r.Members))}
	for i, m := range r.Members {
		out.Members[i] = Member{UID: m.UID, Role: Role(m.Role), AddedBy: m.AddedBy, JoinedAt: m.JoinedAt.UTC()}
	}
	return out
}

// errBadIdemRecord is an idempotency record with neither an outcome nor a
// rendered response. It is an internal error, not a fresh start: treating
// it as absent could create a second room for one key.
var errBadIdemRecord = errors.New("rooms: idempotency record has no outcome")

// FirestoreStore implements Store.
type FirestoreStore struct {
	Client *firestore.Client
	// MaxAttempts bounds transaction retries under contention (0 = 25).
	MaxAttempts int

	// gate queues this process's membership transactions per room (see
	// roomGate). The zero value is ready; a FirestoreStore must not be
	// copied after first use.
	gate roomGate
}

var _ Store = (*FirestoreStore)(nil)

func (s *FirestoreStore) roomRef(id string) *firestore.DocumentRef {
	return s.Client.Collection(RoomsCollection).Doc(id)
}

func (s *FirestoreStore) memberRef(roomID, uid string) *firestore.DocumentRef {
	return s.roomRef(roomID).Collection(MembersCollection).Doc(uid)
}

func (s *FirestoreStore) indexRef(uid, roomID string) *firestore.DocumentRef {
	return s.Client.Collection(UsersCollection).Doc(uid).Collection(UserRoomsCollection).Doc(roomID)
}

func (s *FirestoreStore) run(ctx context.Context, f func(context.Context, *firestore.Transaction) error) error {
	n := s.MaxAttempts
	if n <= 0 {
		n = 25
	}
	err := s.Client.RunTransaction(ctx, f, firestore.MaxAttempts(n))
	return txnError(ctx, err)
}

// runRoom is run for a transaction that writes room roomID's document,
// queued behind this process's other such transactions on that room.
func (s *FirestoreStore) runRoom(ctx context.Context, roomID string, f func(context.Context, *firestore.Transaction) error) error {
	leave, err := s.gate.enter(ctx, roomID)
	if err != nil {
		return err
	}
	defer leave()
	return s.run(ctx, f)
}

// txnError classifies a transaction's failure. Retries used up is
// ErrContention. A gRPC DEADLINE_EXCEEDED or CANCELLED caused by ctx
// ending (the request timeout) is a status error that does not wrap
// ctx.Err(), so it is wrapped here: callers then see the timeout (503)
// instead of an unexplained internal error (500).
func txnError(ctx context.Context, err error) error {
	switch c := status.Code(err); {
	case err == nil:
		return nil
	case c == codes.Aborted:
		return fmt.Errorf("%w: %w", ErrContention, err)
	case (c == codes.DeadlineExceeded || c == codes.Canceled) && ctx.Err() != nil:
		return fmt.Errorf("%w: %w", ctx.Err(), err)
	}
	return err
}

// Create implements Store.
func (s *FirestoreStore) Create(ctx context.Context, p CreateParams) (CreateResult, error) {
	var res CreateResult
	err := s.run(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		res = CreateResult{}
		var idemRef *firestore.DocumentRef
		if p.Idem != nil {
			idemRef = s.Client.Collection(IdempotencyCollection).Doc(p.Idem.DocID)
			snap, err := tx.Get(idemRef)
			if err != nil && status.Code(err) != codes.NotFound {
				return err
			}
			replay, found, err := replayOf(snap, p.Idem, p.Now)
			if err != nil || found {
				res = replay
				return err
			}
		}
		if err := s.checkNotBanned(tx, p.Actor.UID, p.Request.Members); err != nil {
			return err
		}
		if err := s.checkNotBlocked(tx, p.Actor.UID, p.Request.Members); err != nil {
			return err
		}
		var directRef *firestore.DocumentRef
		if p.DirectKey != "" {
			directRef = s.Client.Collection(DirectRoomsCollection).Doc(p.DirectKey)
			existing, found, err := s.existingDirect(tx, directRef)
			if err != nil {
				return err
			}
			if found {
				res.Room = existing
				return s.remember(tx, idemRef, p, res)
			}
		}

		room := Room{
			ID: p.RoomID, Title: p.Request.Title, Kind: p.Request.Kind,
			CreatedBy: p.Actor.UID, CreatedAt: p.Now, MemberCount: 1 + len(p.Request.Members),
		}
		room.Members = append(room.Members, Member{UID: p.Actor.UID, Role: RoleOwner, AddedBy: p.Actor.UID, JoinedAt: p.Now})
		for _, u := range p.Request.Members {
			room.Members = append(room.Members, Member{UID: u, Role: RoleMember, AddedBy: p.Actor.UID, JoinedAt: p.Now})
		}
		sortMembers(room.Members)
		if err := tx.Create(s.roomRef(room.ID), roomDoc{
			CreatedBy: room.CreatedBy, CreatedAt: room.CreatedAt, Title: room.Title,
			Kind: string(room.Kind), MemberCount: int64(room.MemberCount),
		}); err != nil {
			return err
		}
		for _, m := range room.Members {
			if err := s.writeMember(tx, room, m); err != nil {
				return err
			}
		}
		if directRef != nil {
			if err := tx.Set(directRef, directDoc{RoomID: room.ID}); err != nil {
				return err
			}
		}
		if err := audit.Write(tx, s.Client, audit.Record{
			Actor: p.Actor.UID, Target: room.ID, Action: audit.RoomCreated, RequestID: p.Actor.RequestID, Time: p.Now,
			Details: map[string]any{"kind": string(room.Kind), "members": memberUIDs(room.Members)},
		}); err != nil {
			return err
		}
		res.Room, res.Created = room, true
		return s.remember(tx, idemRef, p, res)
	})
	return res, err
}

// Replay implements Store: the idempotency record is read outside any
// transaction, before the members are looked up, so a retry is answered
// from the record even when a member has gone since. Create reads the
// record again inside its transaction, which settles two first requests
// racing with one key.
func (s *FirestoreStore) Replay(ctx context.Context, idem *Idempotency, now time.Time) (CreateResult, bool, error) {
	snap, err := s.Client.Collection(IdempotencyCollection).Doc(idem.DocID).Get(ctx)
	if err != nil && status.Code(err) != codes.NotFound {
		return CreateResult{}, false, err
	}
	return replayOf(snap, idem, now)
}

// replayOf decides what an idempotency record snap (possibly missing) means
// for a request with idem at now: nothing (found false: absent or expired),
// ErrIdempotencyMismatch for another body, or the remembered outcome.
func replayOf(snap *firestore.DocumentSnapshot, idem *Idempotency, now time.Time) (CreateResult, bool, error) {
	if snap == nil || !snap.Exists() {
		return CreateResult{}, false, nil
	}
	var d idemDoc
	if err := snap.DataTo(&d); err != nil {
		return CreateResult{}, false, err
	}
	if !now.Before(d.ExpiresAt) {
		return CreateResult{}, false, nil
	}
	if d.BodyHash != idem.BodyHash {
		return CreateResult{}, false, ErrIdempotencyMismatch
	}
	switch {
	case d.Room != nil:
		return CreateResult{Room: d.Room.room(), Created: d.Created, Replayed: true}, true, nil
	case d.Body != "":
		return CreateResult{Replay: &StoredResponse{Status: int(d.Status), Body: []byte(d.Body)}}, true, nil
	}
	return CreateResult{}, false, errBadIdemRecord
}

// existingDirect reads the direct-room index and, if it points at a room
// that still exists, that room with its members.
func (s *FirestoreStore) existingDirect(tx *firestore.Transaction, ref *firestore.DocumentRef) (Room, bool, error) {
	snap, err := tx.Get(ref)
	if status.Code(err) == codes.NotFound {
		return Room{}, false, nil
	}
	if err != nil {
		return Room{}, false, err
	}
	var d directDoc
	if err := snap.DataTo(&d); err != nil {
		return Room{}, false, err
	}
	room, err := s.readRoom(tx, d.RoomID)
	if errors.Is(err, ErrNotFound) {
		return Room{}, false, nil
	}
	return room, err == nil, err
}

// checkNotBanned reads users/{uid} of the actor and of each new member
// inside tx, and refuses a banned actor (ErrActorBanned) or banned members
// (UnavailableMembersError). The Auth lookup before the transaction already
// refused members with the banned claim, and the actor's token was checked
// for revocation; these reads close the race with a ban that lands in
// between: the ban's transaction writes users/{uid}, so Firestore
// serialises the two, and the ban's room sweep (which reads the index
// after its transaction) sees any membership committed before it.
func (s *FirestoreStore) checkNotBanned(tx *firestore.Transaction, actor string, uids []string) error {
	refs := make([]*firestore.DocumentRef, 0, 1+len(uids))
	refs = append(refs, s.Client.Collection(UsersCollection).Doc(actor))
	for _, u := range uids {
		refs = append(refs, s.Client.Collection(UsersCollection).Doc(u))
	}
	snaps, err := tx.GetAll(refs)
	if err != nil {
		return err
	}
	isBanned := userBanned
	if isBanned(snaps[0]) {
		return ErrActorBanned
	}
	var banned []string
	for i, snap := range snaps[1:] {
		if isBanned(snap) {
			banned = append(banned, uids[i])
		}
	}
	if len(banned) > 0 {
		sort.Strings(banned)
		return &UnavailableMembersError{UIDs: banned}
	}
	return nil
}

// userBanned reports whether snap, a users/{uid}, records the user as
// banned (a ban, or an account deletion pending or done). A missing
// document is a user roomgate never recorded a change for: not banned.
func userBanned(snap *firestore.DocumentSnapshot) bool {
	if !snap.Exists() {
		return false
	}
	return schema.UserBanned(snap.Data())
}

// remember writes the idempotency record of a fresh (non-replayed)
// result: the outcome itself, which a replay returns as it is, so the
// caller renders the replay exactly as it rendered the first answer.
func (s *FirestoreStore) remember(tx *firestore.Transaction, ref *firestore.DocumentRef, p CreateParams, res CreateResult) error {
	if ref == nil {
		return nil
	}
	return tx.Set(ref, idemDoc{
		BodyHash: p.Idem.BodyHash, Room: toIdemRoom(res.Room), Created: res.Created,
		CreatedAt: p.Now, ExpiresAt: p.Now.Add(p.Idem.TTL),
	})
}

func (s *FirestoreStore) writeMember(tx *firestore.Transaction, room Room, m Member) error {
	if err := tx.Set(s.memberRef(room.ID, m.UID), memberDoc{Role: string(m.Role), AddedBy: m.AddedBy, JoinedAt: m.JoinedAt}); err != nil {
		return err
	}
	return tx.Set(s.indexRef(m.UID, room.ID), indexDoc{Title: room.Title, Kind: string(room.Kind), Role: string(m.Role), JoinedAt: m.JoinedAt})
}

// readRoom reads a room and all its members inside tx.
func (s *FirestoreStore) readRoom(tx *firestore.Transaction, id string) (Room, error) {
	snap, err := tx.Get(s.roomRef(id))
	if status.Code(err) == codes.NotFound {
		return Room{}, ErrNotFound
	}
	if err != nil {
		return Room{}, err
	}
	room, err := toRoom(snap)
	if err != nil {
		return Room{}, err
	}
	docs, err := tx.Documents(s.roomRef(id).Collection(MembersCollection)).GetAll()
	if err != nil {
		return Room{}, err
	}
	room.Members, err = toMembers(docs)
	return room, err
}

// Get implements Store. The caller's member document is read first, so a
// non-member learns nothing, not even through timing of a members query.
func (s *FirestoreStore) Get(ctx context.Context, roomID, caller string) (Room, error) {
	snaps, err := s.Client.GetAll(ctx, []*firestore.DocumentRef{s.memberRef(roomID, caller), s.roomRef(roomID)})
	if err != nil {
		return Room{}, err
	}
	if !snaps[0].Exists() || !snaps[1].Exists() {
		return Room{}, ErrNotFound
	}
	room, err := toRoom(snaps[1])
	if err != nil {
		return Room{}, err
	}
	docs, err := s.roomRef(roomID).Collection(MembersCollection).Documents(ctx).GetAll()
	if err != nil {
		return Room{}, err
	}
	room.Members, err = toMembers(docs)
	return room, err
}

// List implements Store: users/{uid}/rooms by joinedAt descending, then
// room ID descending. Both orders run the same way, so Firestore needs no
// composite index (the implicit __name__ order follows the last orderBy).
func (s *FirestoreStore) List(ctx context.Context, uid string, limit int, after *Cursor) ([]Entry, error) {
	q := s.Client.Collection(UsersCollection).Doc(uid).Collection(UserRoomsCollection).
		OrderBy(schema.FieldJoinedAt, firestore.Desc).OrderBy(firestore.DocumentID, firestore.Desc).Limit(limit)
	if after != nil {
		q = q.StartAfter(after.JoinedAt, after.RoomID)
	}
	docs, err := q.Documents(ctx).GetAll()
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(docs))
	for _, d := range docs {
		var x indexDoc
		if err := d.DataTo(&x); err != nil {
			return nil, err
		}
		out = append(out, Entry{RoomID: d.Ref.ID, Title: x.Title, Kind: Kind(x.Kind), Role: Role(x.Role), JoinedAt: x.JoinedAt.UTC()})
	}
	return out, nil
}

// IndexRoomIDs implements Store.
func (s *FirestoreStore) IndexRoomIDs(ctx context.Context, uid string) ([]string, error) {
	it := s.Client.Collection(UsersCollection).Doc(uid).Collection(UserRoomsCollection).Select().Documents(ctx)
	defer it.Stop()
	var ids []string
	for {
		d, err := it.Next()
		if err == iterator.Done {
			return ids, nil
		}
		if err != nil {
			return nil, err
		}
		ids = append(ids, d.Ref.ID)
	}
}

func toRoom(snap *firestore.DocumentSnapshot) (Room, error) {
	var d roomDoc
	if err := snap.DataTo(&d); err != nil {
		return Room{}, err
	}
	return Room{
		ID: snap.Ref.ID, Title: d.Title, Kind: Kind(d.Kind), CreatedBy: d.CreatedBy,
		CreatedAt: d.CreatedAt.UTC(), MemberCount: int(d.MemberCount), PushPreview: d.PushPreview,
	}, nil
}

func toMembers(docs []*firestore.DocumentSnapshot) ([]Member, error) {
	out := make([]Member, 0, len(docs))
	for _, d := range docs {
		var m memberDoc
		if err := d.DataTo(&m); err != nil {
			return nil, err
		}
		out = append(out, Member{UID: d.Ref.ID, Role: Role(m.Role), AddedBy: m.AddedBy, JoinedAt: m.JoinedAt.UTC()})
	}
	sortMembers(out)
	return out, nil
}

// sortMembers orders by role (owner, admin, member), then join time, then
// uid: the owner first, and a stable order for everyone else.
func sortMembers(ms []Member) {
	rank := map[Role]int{RoleOwner: 0, RoleAdmin: 1, RoleMember: 2}
	sort.SliceStable(ms, func(i, j int) bool {
		a, b := ms[i], ms[j]
		if rank[a.Role] != rank[b.Role] {
			return rank[a.Role] < rank[b.Role]
		}
		if !a.JoinedAt.Equal(b.JoinedAt) {
			return a.JoinedAt.Before(b.JoinedAt)
		}
		return a.UID < b.UID
	})
}

func memberUIDs(ms []Member) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.UID
	}
	return out
}
