package rooms_test

// These tests drive FirestoreStore and Service through the real
// cloud.google.com/go/firestore client and the real Admin SDK against the
// in-process emulators (emulator/emutest), found through the standard
// FIRESTORE_EMULATOR_HOST / FIREBASE_AUTH_EMULATOR_HOST variables.

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/firestore"
	"firebase.google.com/go/v4/auth"

	"github.com/roomgate/roomgate/emulator/emutest"
	"github.com/roomgate/roomgate/internal/rooms"
)

type env struct {
	fs    *firestore.Client
	auth  *auth.Client
	store *rooms.FirestoreStore
	svc   *rooms.Service
}

func start(t *testing.T) *env {
	t.Helper()
	emu := emutest.Start(t, emutest.RulesFile("../../firestore.rules"), emutest.Quiet())
	emu.Setenv(t)
	fs, ac := emu.AdminClient(t), emu.AdminAuth(t)
	st := &rooms.FirestoreStore{Client: fs} // default attempts, as in production
	return &env{fs: fs, auth: ac, store: st, svc: &rooms.Service{Store: st, Directory: &rooms.FirebaseDirectory{Auth: ac}, Limits: rooms.DefaultLimits}}
}

func (e *env) users(t *testing.T, uids ...string) {
	t.Helper()
	for _, u := range uids {
		if _, err := e.auth.CreateUser(context.Background(), (&auth.UserToCreate{}).UID(u)); err != nil {
			t.Fatalf("CreateUser(%s): %v", u, err)
		}
	}
}

func (e *env) count(t *testing.T, q firestore.Query) int {
	t.Helper()
	docs, err := q.Documents(context.Background()).GetAll()
	if err != nil {
		t.Fatal(err)
	}
	return len(docs)
}

// checkConsistent asserts the data model's invariant: memberCount equals the
// member documents, and each member has exactly one matching index doc.
func (e *env) checkConsistent(t *testing.T, roomID string) int {
	t.Helper()
	ctx := context.Background()
	snap, err := e.fs.Collection("rooms").Doc(roomID).Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mc, _ := snap.DataAt("memberCount")
	members, err := e.fs.Collection("rooms").Doc(roomID).Collection("members").Documents(ctx).GetAll()
	if err != nil {
		t.Fatal(err)
	}
	if mc.(int64) != int64(len(members)) {
		t.Fatalf("memberCount = %d, member docs = %d", mc, len(members))
	}
	for _, m := range members {
		idx, err := e.fs.Collection("users").Doc(m.Ref.ID).Collection("rooms").Doc(roomID).Get(ctx)
		if err != nil {
			t.Fatalf("index doc of %s: %v", m.Ref.ID, err)
		}
		if idx.Data()["role"] != m.Data()["role"] {
			t.Fatalf("index role %v != member role %v for %s", idx.Data()["role"], m.Data()["role"], m.Ref.ID)
		}
	}
	return len(members)
}

func actor(uid string) rooms.Actor { return rooms.Actor{UID: uid, RequestID: "req-" + uid} }

func TestCreateWritesRoomMembersIndexAndAudit(t *testing.T) {
	e := start(t)
	e.users(t, "alice", "bob", "carol")
	ctx := context.Background()
	res, err := create(ctx, e.svc, actor("alice"), rooms.CreateRequest{Members: []string{"bob", "carol"}, Title: "trio"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || res.Room.MemberCount != 3 || res.Room.Members[0].UID != "alice" || res.Room.Members[0].Role != rooms.RoleOwner {
		t.Fatalf("result = %+v", res)
	}
	if n := e.checkConsistent(t, res.Room.ID); n != 3 {
		t.Fatalf("%d members", n)
	}
	snap, err := e.fs.Collection("rooms").Doc(res.Room.ID).Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d := snap.Data()
	if d["title"] != "trio" || d["kind"] != "group" || d["createdBy"] != "alice" || !d["createdAt"].(time.Time).Equal(res.Room.CreatedAt) {
		t.Fatalf("room doc = %v", d)
	}
	got, err := get(ctx, e.svc, "carol", res.Room.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != res.Room.ID || len(got.Members) != 3 || !got.CreatedAt.Equal(res.Room.CreatedAt) {
		t.Fatalf("Get = %+v", got)
	}
	audits, err := e.fs.Collection("audit").Where("target", "==", res.Room.ID).Documents(ctx).GetAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(audits) != 1 || audits[0].Data()["action"] != "room.created" || audits[0].Data()["actor"] != "alice" || audits[0].Data()["requestId"] != "req-alice" {
		t.Fatalf("audit = %v", audits)
	}
}

func TestMembersMustExistAndNotBeBanned(t *testing.T) {
	e := start(t)
	e.users(t, "alice", "bob", "dis", "ban")
	ctx := context.Background()
	if _, err := e.auth.UpdateUser(ctx, "dis", (&auth.UserToUpdate{}).Disabled(true)); err != nil {
		t.Fatal(err)
	}
	if err := e.auth.SetCustomUserClaims(ctx, "ban", map[string]any{"banned": true}); err != nil {
		t.Fatal(err)
	}
	_, err := create(ctx, e.svc, actor("alice"), rooms.CreateRequest{Members: []string{"bob", "ghost", "dis", "ban"}}, nil)
	var ue *rooms.UnavailableMembersError
	if !errors.As(err, &ue) || fmt.Sprint(ue.UIDs) != "[ban dis ghost]" {
		t.Fatalf("err = %v", err)
	}
	if n := e.count(t, e.fs.Collection("rooms").Query); n != 0 {
		t.Fatalf("%d rooms written despite the refusal", n)
	}
}

func TestNonMembersGetNotFound(t *testing.T) {
	e := start(t)
	e.users(t, "alice", "bob")
	ctx := context.Background()
	res, err := create(ctx, e.svc, actor("alice"), rooms.CreateRequest{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := get(ctx, e.svc, "bob", res.Room.ID); !errors.Is(err, rooms.ErrNotFound) {
		t.Fatalf("non-member Get: %v", err)
	}
	if _, err := get(ctx, e.svc, "bob", "ZZZZZZZZZZZZZZZZZZZZZZ"); !errors.Is(err, rooms.ErrNotFound) {
		t.Fatalf("missing room Get: %v", err)
	}
	if _, _, err := addMembers(ctx, e.svc, actor("bob"), res.Room.ID, []string{"bob2"}); !errors.Is(err, rooms.ErrNotFound) {
		t.Fatalf("non-member add: %v", err)
	}
	if err := deleteRoom(ctx, e.svc, actor("bob"), res.Room.ID); !errors.Is(err, rooms.ErrNotFound) {
		t.Fatalf("non-member delete: %v", err)
	}
	if _, err := removeMember(ctx, e.svc, actor("bob"), res.Room.ID, "alice"); !errors.Is(err, rooms.ErrNotFound) {
		t.Fatalf("non-member remove: %v", err)
	}
}

func TestDirectRoomsAreDeduplicated(t *testing.T) {
	e := start(t)
	e.users(t, "alice", "bob", "carol")
	ctx := context.Background()
	first, err := create(ctx, e.svc, actor("alice"), rooms.CreateRequest{Kind: rooms.KindDirect, Members: []string{"bob"}}, nil)
	if err != nil || !first.Created {
		t.Fatalf("first: %+v %v", first, err)
	}
	again, err := create(ctx, e.svc, actor("bob"), rooms.CreateRequest{Kind: rooms.KindDirect, Members: []string{"alice"}}, nil)
	if err != nil || again.Created || again.Room.ID != first.Room.ID || len(again.Room.Members) != 2 {
		t.Fatalf("reverse pair: %+v %v", again, err)
	}
	// A group room with the same pair is a different thing.
	grp, err := create(ctx, e.svc, actor("alice"), rooms.CreateRequest{Members: []string{"bob"}}, nil)
	if err != nil || !grp.Created || grp.Room.ID == first.Room.ID {
		t.Fatalf("group: %+v %v", grp, err)
	}
	if _, _, err := addMembers(ctx, e.svc, actor("alice"), first.Room.ID, []string{"carol"}); !errors.Is(err, rooms.ErrDirectRoomFixed) {
		t.Fatalf("add to direct: %v", err)
	}
	// After bob leaves, the pair gets a fresh room rather than the half-empty one.
	if _, err := removeMember(ctx, e.svc, actor("bob"), first.Room.ID, "bob"); err != nil {
		t.Fatal(err)
	}
	fresh, err := create(ctx, e.svc, actor("alice"), rooms.CreateRequest{Kind: rooms.KindDirect, Members: []string{"bob"}}, nil)
	if err != nil || !fresh.Created || fresh.Room.ID == first.Room.ID {
		t.Fatalf("after leave: %+v %v", fresh, err)
	}
}

func TestIdempotencyKeyReplaysAndRejectsOtherBodies(t *testing.T) {
	e := start(t)
	e.users(t, "alice", "bob")
	ctx := context.Background()
	idem := func(body string) *rooms.Idempotency {
		return &rooms.Idempotency{DocID: "key-1", BodyHash: body, TTL: time.Hour}
	}
	// Ten concurrent first attempts with one key: one room, ten equal answers.
	var wg sync.WaitGroup
	results := make([]rooms.CreateResult, 10)
	errs := make([]error, 10)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = create(ctx, e.svc, actor("alice"), rooms.CreateRequest{Members: []string{"bob"}}, idem("h1"))
		}()
	}
	wg.Wait()
	ids := map[string]bool{}
	created := 0
	for i, r := range results {
		if errs[i] != nil {
			t.Fatalf("attempt %d: %v", i, errs[i])
		}
		if r.Replayed {
			ids[r.Room.ID] = true
			if !r.Created {
				t.Fatalf("replayed outcome %+v is not the creation", r)
			}
		} else {
			created++
			ids[r.Room.ID] = true
		}
	}
	if created != 1 || len(ids) != 1 {
		t.Fatalf("created %d rooms, answers named %d rooms", created, len(ids))
	}
	if n := e.count(t, e.fs.Collection("users").Doc("alice").Collection("rooms").Query); n != 1 {
		t.Fatalf("alice is in %d rooms, want 1", n)
	}
	if _, err := create(ctx, e.svc, actor("alice"), rooms.CreateRequest{Title: "other"}, idem("h2")); !errors.Is(err, rooms.ErrIdempotencyMismatch) {
		t.Fatalf("other body: %v", err)
	}
	// The record expires.
	expired := &rooms.Idempotency{DocID: "key-2", BodyHash: "h", TTL: time.Nanosecond}
	a, _ := create(ctx, e.svc, actor("alice"), rooms.CreateRequest{}, expired)
	b, _ := create(ctx, e.svc, actor("alice"), rooms.CreateRequest{}, expired)
	if a.Room.ID == "" || b.Replayed || b.Room.ID == a.Room.ID {
		t.Fatalf("an expired key replayed: %+v %+v", a, b)
	}
}

// TestConcurrentAddsNeverExceedTheCap is the member cap's promise: 50 concurrent
// adds to one room with room for 9 more leave exactly 10 members, and
// memberCount, member documents and index documents agree.
func TestConcurrentAddsNeverExceedTheCap(t *testing.T) {
	e := start(t)
	fiftyConcurrentAdds(t, e, func(int) *rooms.Service { return e.svc })
}

// fiftyConcurrentAdds creates a room with room for 9 more members and sends
// it 50 concurrent adds, the i-th through via(i). Exactly 9 must succeed and
// 41 hit the cap, and memberCount, member documents and index documents
// must all agree on 10.
func fiftyConcurrentAdds(t *testing.T, e *env, via func(i int) *rooms.Service) {
	t.Helper()
	uids := []string{"owner"}
	for i := 0; i < 50; i++ {
		uids = append(uids, fmt.Sprintf("u%02d", i))
	}
	e.users(t, uids...)
	ctx := context.Background()
	e.svc.Limits.MaxMembers = 10
	res, err := create(ctx, e.svc, actor("owner"), rooms.CreateRequest{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	outcomes := map[string]int{}
	for i, u := range uids[1:] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := addMembers(ctx, via(i), actor("owner"), res.Room.ID, []string{u})
			k := "ok"
			switch {
			case errors.Is(err, rooms.ErrMemberCap):
				k = "cap"
			case err != nil:
				k = err.Error()
			}
			mu.Lock()
			outcomes[k]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if outcomes["ok"] != 9 || outcomes["cap"] != 41 {
		t.Fatalf("outcomes = %v, want 9 ok and 41 cap", outcomes)
	}
	if n := e.checkConsistent(t, res.Room.ID); n != 10 {
		t.Fatalf("%d members, want 10", n)
	}
	indexed := 0
	for _, u := range uids {
		indexed += e.count(t, e.fs.Collection("users").Doc(u).Collection("rooms").Query)
	}
	if indexed != 10 {
		t.Fatalf("%d index docs, want 10", indexed)
	}
}

func TestOwnershipPassesOnAndTheLastOneOutDeletes(t *testing.T) {
	e := start(t)
	e.users(t, "alice", "bob", "carol")
	ctx := context.Background()
	res, err := create(ctx, e.svc, actor("alice"), rooms.CreateRequest{Members: []string{"bob", "carol"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := res.Room.ID
	if _, err := e.fs.Collection("rooms").Doc(id).Collection("messages").Doc("m1").Set(ctx, map[string]any{"senderId": "bob", "text": "hi"}); err != nil {
		t.Fatal(err)
	}
	// A plain member cannot remove another.
	if _, err := removeMember(ctx, e.svc, actor("bob"), id, "carol"); !errors.Is(err, rooms.ErrForbidden) {
		t.Fatalf("member removes member: %v", err)
	}
	if _, err := removeMember(ctx, e.svc, actor("alice"), id, "nobody"); !errors.Is(err, rooms.ErrMemberNotFound) {
		t.Fatalf("remove non-member: %v", err)
	}
	out, err := removeMember(ctx, e.svc, actor("alice"), id, "alice")
	if err != nil || out.RoomDeleted || out.NewOwner != "bob" {
		t.Fatalf("owner leaves: %+v %v", out, err)
	}
	room, err := get(ctx, e.svc, "bob", id)
	if err != nil || room.Members[0].UID != "bob" || room.Members[0].Role != rooms.RoleOwner || room.MemberCount != 2 {
		t.Fatalf("after hand-over: %+v %v", room, err)
	}
	e.checkConsistent(t, id)
	if _, err := removeMember(ctx, e.svc, actor("bob"), id, "carol"); err != nil {
		t.Fatalf("new owner removes carol: %v", err)
	}
	out, err = removeMember(ctx, e.svc, actor("bob"), id, "bob")
	if err != nil || !out.RoomDeleted {
		t.Fatalf("last one out: %+v %v", out, err)
	}
	if n := e.count(t, e.fs.Collection("rooms").Query); n != 0 {
		t.Fatalf("%d rooms left", n)
	}
	if n := e.count(t, e.fs.Collection("rooms").Doc(id).Collection("messages").Query); n != 0 {
		t.Fatalf("%d messages left", n)
	}
	if n := e.count(t, e.fs.Collection("deletions").Query); n != 0 {
		t.Fatalf("%d tombstones left", n)
	}
	for _, u := range []string{"alice", "bob", "carol"} {
		if n := e.count(t, e.fs.Collection("users").Doc(u).Collection("rooms").Query); n != 0 {
			t.Fatalf("%s still has %d index docs", u, n)
		}
	}
	actions := map[string]int{}
	docs, _ := e.fs.Collection("audit").Documents(ctx).GetAll()
	for _, d := range docs {
		actions[d.Data()["action"].(string)]++
	}
	want := map[string]int{"room.created": 1, "room.member_left": 2, "room.member_removed": 1, "room.owner_changed": 1, "room.deleted": 1}
	if fmt.Sprint(actions) != fmt.Sprint(want) {
		t.Fatalf("audit actions = %v, want %v", actions, want)
	}
}

func TestDeleteRemovesEverything(t *testing.T) {
	e := start(t)
	e.users(t, "alice", "bob")
	ctx := context.Background()
	res, err := create(ctx, e.svc, actor("alice"), rooms.CreateRequest{Kind: rooms.KindDirect, Members: []string{"bob"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := res.Room.ID
	for i := 0; i < 450; i++ { // more than one deletion chunk
		if _, err := e.fs.Collection("rooms").Doc(id).Collection("messages").NewDoc().Create(ctx, map[string]any{"text": "x"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := deleteRoom(ctx, e.svc, actor("bob"), id); !errors.Is(err, rooms.ErrForbidden) {
		t.Fatalf("member deletes: %v", err)
	}
	if err := deleteRoom(ctx, e.svc, actor("alice"), id); err != nil {
		t.Fatal(err)
	}
	for name, q := range map[string]firestore.Query{
		"rooms":       e.fs.Collection("rooms").Query,
		"members":     e.fs.Collection("rooms").Doc(id).Collection("members").Query,
		"messages":    e.fs.Collection("rooms").Doc(id).Collection("messages").Query,
		"alice index": e.fs.Collection("users").Doc("alice").Collection("rooms").Query,
		"bob index":   e.fs.Collection("users").Doc("bob").Collection("rooms").Query,
		"directRooms": e.fs.Collection("directRooms").Query,
		"deletions":   e.fs.Collection("deletions").Query,
	} {
		if n := e.count(t, q); n != 0 {
			t.Errorf("%s: %d docs left", name, n)
		}
	}
}

func TestListPagesNewestFirst(t *testing.T) {
	e := start(t)
	e.users(t, "alice")
	ctx := context.Background()
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var tick int
	e.svc.Now = func() time.Time { tick++; return base.Add(time.Duration(tick/2) * time.Second) } // pairs share a joinedAt
	var want []string
	for i := 0; i < 25; i++ {
		res, err := create(ctx, e.svc, actor("alice"), rooms.CreateRequest{Title: fmt.Sprint(i)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, res.Room.ID)
	}
	var got []rooms.Entry
	cursor := ""
	pages := 0
	for {
		p, err := list(ctx, e.svc, "alice", 10, cursor)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, p.Rooms...)
		if p.Next == "" {
			break
		}
		cursor = p.Next
	}
	if pages != 3 || len(got) != 25 {
		t.Fatalf("%d pages, %d rooms", pages, len(got))
	}
	for i := 1; i < len(got); i++ {
		a, b := got[i-1], got[i]
		if a.JoinedAt.Before(b.JoinedAt) || a.JoinedAt.Equal(b.JoinedAt) && a.RoomID < b.RoomID {
			t.Fatalf("order broken at %d: %v %s then %v %s", i, a.JoinedAt, a.RoomID, b.JoinedAt, b.RoomID)
		}
	}
	ids := make([]string, len(got))
	for i, g := range got {
		ids[i] = g.RoomID
	}
	sort.Strings(ids)
	sort.Strings(want)
	if fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Fatal("pages missed or repeated rooms")
	}
}

func TestRemoveEverywhere(t *testing.T) {
	e := start(t)
	e.users(t, "alice", "bob", "carol")
	ctx := context.Background()
	r1, _ := create(ctx, e.svc, actor("alice"), rooms.CreateRequest{Members: []string{"bob"}}, nil)
	r2, _ := create(ctx, e.svc, actor("bob"), rooms.CreateRequest{Members: []string{"carol"}}, nil)
	r3, _ := create(ctx, e.svc, actor("bob"), rooms.CreateRequest{}, nil)
	n, err := e.svc.RemoveEverywhere(ctx, actor("admin"), "bob", "ban")
	if err != nil || n != 3 {
		t.Fatalf("RemoveEverywhere = %d, %v", n, err)
	}
	if _, err := get(ctx, e.svc, "bob", r1.Room.ID); !errors.Is(err, rooms.ErrNotFound) {
		t.Fatalf("bob still reads r1: %v", err)
	}
	room2, err := get(ctx, e.svc, "carol", r2.Room.ID)
	if err != nil || room2.Members[0].UID != "carol" || room2.Members[0].Role != rooms.RoleOwner {
		t.Fatalf("r2 after ban: %+v %v", room2, err)
	}
	if _, err := get(ctx, e.svc, "bob", r3.Room.ID); !errors.Is(err, rooms.ErrNotFound) {
		t.Fatalf("r3 should be gone: %v", err)
	}
	if n := e.count(t, e.fs.Collection("users").Doc("bob").Collection("rooms").Query); n != 0 {
		t.Fatalf("bob keeps %d index docs", n)
	}
	e.checkConsistent(t, r1.Room.ID)
	e.checkConsistent(t, r2.Room.ID)
}

// TestBanRecordedInFirestoreBlocksAdds: a user whose users/{uid} says
// banned (a ban whose Auth claim update has not landed yet) cannot be put
// into a room: the transaction itself checks.
func TestBanRecordedInFirestoreBlocksAdds(t *testing.T) {
	e := start(t)
	e.users(t, "alice", "bob", "carol")
	ctx := context.Background()
	if _, err := e.fs.Collection("users").Doc("bob").Set(ctx, map[string]any{"banned": true, "chat": false, "role": "", "claimsVersion": 1}); err != nil {
		t.Fatal(err)
	}
	_, err := create(ctx, e.svc, actor("alice"), rooms.CreateRequest{Members: []string{"bob", "carol"}}, nil)
	var ue *rooms.UnavailableMembersError
	if !errors.As(err, &ue) || fmt.Sprint(ue.UIDs) != "[bob]" {
		t.Fatalf("create: %v", err)
	}
	res, err := create(ctx, e.svc, actor("alice"), rooms.CreateRequest{Members: []string{"carol"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := addMembers(ctx, e.svc, actor("alice"), res.Room.ID, []string{"bob"}); !errors.As(err, &ue) {
		t.Fatalf("add: %v", err)
	}
	if n := e.checkConsistent(t, res.Room.ID); n != 2 {
		t.Fatalf("%d members", n)
	}
}

// TestConcurrentAddsAcrossInstancesNeverExceedTheCap: as above, but the 50
// adds come through 5 stores, as from 5 service instances. Each store
// queues its own adds per room, so here the Firestore transactions really
// contend and the cap rests on them alone.
func TestConcurrentAddsAcrossInstancesNeverExceedTheCap(t *testing.T) {
	e := start(t)
	e.svc.Limits.MaxMembers = 10
	instances := make([]*rooms.Service, 5)
	for i := range instances {
		instances[i] = &rooms.Service{Store: &rooms.FirestoreStore{Client: e.fs}, Directory: e.svc.Directory, Limits: e.svc.Limits}
	}
	fiftyConcurrentAdds(t, e, func(i int) *rooms.Service { return instances[i%len(instances)] })
}

// TestARequestTimeoutIsReportedAsOne: when the caller's context ends
// during a transaction, the error says so (the API answers 503 timeout),
// rather than being an opaque gRPC status (500).
func TestARequestTimeoutIsReportedAsOne(t *testing.T) {
	e := start(t)
	e.users(t, "owner", "bob")
	res, err := create(context.Background(), e.svc, actor("owner"), rooms.CreateRequest{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), -time.Second)
	defer cancel()
	if _, err := e.store.Create(ctx, rooms.CreateParams{Actor: actor("owner"), RoomID: "timed-out", Now: time.Now()}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Create: %v, want context.DeadlineExceeded", err)
	}
	if _, err := e.store.AddMembers(ctx, rooms.AddParams{Actor: actor("owner"), RoomID: res.Room.ID, UIDs: []string{"bob"}, MaxMembers: 10, Now: time.Now()}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("AddMembers: %v, want context.DeadlineExceeded", err)
	}
}
