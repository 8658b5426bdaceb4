package firestore

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/firestore"
)

// Listen through the real Go client (DocumentRef.Snapshots,
// Query.Snapshots): what an application observes.

// within runs next (a blocking iterator call) with a deadline, so a
// missing message fails the test instead of hanging it. The iterator is
// stopped by the test's cleanup, which unblocks a call left behind.
func within[T any](t *testing.T, next func() (T, error)) (T, error) {
	t.Helper()
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() { v, err := next(); ch <- result{v, err} }()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-time.After(10 * time.Second):
		t.Fatal("no snapshot within 10s")
		panic("unreachable")
	}
}

func docSnap(t *testing.T, it *firestore.DocumentSnapshotIterator) *firestore.DocumentSnapshot {
	t.Helper()
	s, err := within(t, it.Next)
	if err != nil {
		t.Fatalf("DocumentSnapshotIterator.Next: %v", err)
	}
	return s
}

func querySnap(t *testing.T, it *firestore.QuerySnapshotIterator) *firestore.QuerySnapshot {
	t.Helper()
	s, err := within(t, it.Next)
	if err != nil {
		t.Fatalf("QuerySnapshotIterator.Next: %v", err)
	}
	return s
}

// snapIDs lists a query snapshot's document ids in result order.
func snapIDs(t *testing.T, s *firestore.QuerySnapshot) string {
	t.Helper()
	docs, err := s.Documents.GetAll()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range docs {
		ids = append(ids, d.Ref.ID)
	}
	return strings.Join(ids, " ")
}

// snapChanges summarises a snapshot's changes as sorted "kind:id" words.
func snapChanges(s *firestore.QuerySnapshot) string {
	var out []string
	for _, c := range s.Changes {
		out = append(out, fmt.Sprintf("%s:%s", strings.ToLower(c.Kind.String()[len("Document"):]), c.Doc.Ref.ID))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// waitNoListeners fails unless every Listen stream of srv has ended (its
// store subscription cancelled) shortly after the clients stopped: the
// server keeps no goroutine or subscription per closed listener.
func waitNoListeners(t *testing.T, srv *Server) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		srv.s.st.subsMu.Lock()
		n := len(srv.s.st.subs)
		srv.s.st.subsMu.Unlock()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d Listen streams still subscribed after their clients stopped", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestListenDocumentThroughGoClient(t *testing.T) {
	srv := newTestServer(t)
	ctx := context.Background()
	admin := adminClient(t, srv)
	ref := admin.Doc("watch/d1")
	it := ref.Snapshots(ctx)
	t.Cleanup(it.Stop)

	s := docSnap(t, it)
	if s.Exists() {
		t.Fatalf("first snapshot of a missing document exists: %v", s.Data())
	}
	last := s.ReadTime
	step := func(what string, wantExists bool, wantV any) *firestore.DocumentSnapshot {
		t.Helper()
		s := docSnap(t, it)
		if s.Exists() != wantExists {
			t.Fatalf("%s: exists=%v, want %v", what, s.Exists(), wantExists)
		}
		if wantExists && s.Data()["v"] != wantV {
			t.Fatalf("%s: v=%v, want %v", what, s.Data()["v"], wantV)
		}
		if !s.ReadTime.After(last) {
			t.Fatalf("%s: read time %v not after %v", what, s.ReadTime, last)
		}
		last = s.ReadTime
		return s
	}

	// An unrelated commit first: it must not surface as a snapshot.
	if _, err := admin.Doc("watch/other").Set(ctx, map[string]any{"v": 0}); err != nil {
		t.Fatal(err)
	}
	wr, err := ref.Set(ctx, map[string]any{"v": int64(1)})
	if err != nil {
		t.Fatal(err)
	}
	s = step("create", true, int64(1))
	if !s.UpdateTime.Equal(wr.UpdateTime) || !s.CreateTime.Equal(wr.UpdateTime) {
		t.Errorf("create: times %v/%v, want the commit's %v", s.CreateTime, s.UpdateTime, wr.UpdateTime)
	}
	if s.ReadTime.Before(wr.UpdateTime) {
		t.Errorf("read time %v before the commit %v", s.ReadTime, wr.UpdateTime)
	}
	if _, err := ref.Update(ctx, []firestore.Update{{Path: "v", Value: int64(2)}}); err != nil {
		t.Fatal(err)
	}
	step("modify", true, int64(2))
	if _, err := ref.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	step("delete", false, nil)
	if _, err := ref.Create(ctx, map[string]any{"v": int64(3)}); err != nil {
		t.Fatal(err)
	}
	step("re-create", true, int64(3))
	// Clearing the database (the emulator's REST "clear") is a delete too.
	clearDocuments(t, srv)
	step("cleared", false, nil)

	it.Stop()
	waitNoListeners(t, srv)
}

func TestListenQueryThroughGoClient(t *testing.T) {
	srv := newTestServer(t)
	ctx := context.Background()
	admin := adminClient(t, srv)
	coll := admin.Collection("things")
	for id, v := range map[string]map[string]any{
		"a1": {"kind": "a", "n": 1}, "a2": {"kind": "a", "n": 2}, "b1": {"kind": "b", "n": 3},
	} {
		if _, err := coll.Doc(id).Set(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	it := coll.Where("kind", "==", "a").OrderBy("n", firestore.Asc).Snapshots(ctx)
	t.Cleanup(it.Stop)

	s := querySnap(t, it)
	if got := snapIDs(t, s); got != "a1 a2" {
		t.Fatalf("initial results %q, want %q", got, "a1 a2")
	}
	if got := snapChanges(s); got != "added:a1 added:a2" {
		t.Fatalf("initial changes %q", got)
	}
	last := s.ReadTime

	steps := []struct {
		what         string
		write        func() error
		ids, changes string
	}{
		{"add", func() error { _, err := coll.Doc("a3").Set(ctx, map[string]any{"kind": "a", "n": 0}); return err },
			"a3 a1 a2", "added:a3"},
		{"modify reorders", func() error {
			_, err := coll.Doc("a1").Update(ctx, []firestore.Update{{Path: "n", Value: 5}})
			return err
		}, "a3 a2 a1", "modified:a1"},
		{"update leaves the query", func() error {
			_, err := coll.Doc("a2").Update(ctx, []firestore.Update{{Path: "kind", Value: "b"}})
			return err
		}, "a3 a1", "removed:a2"},
		{"update enters the query", func() error {
			_, err := coll.Doc("b1").Update(ctx, []firestore.Update{{Path: "kind", Value: "a"}})
			return err
		}, "a3 b1 a1", "added:b1"},
		{"delete", func() error { _, err := coll.Doc("a3").Delete(ctx); return err }, "b1 a1", "removed:a3"},
		{"one batch, three changes", func() error {
			b := admin.Batch()
			b.Set(coll.Doc("a4"), map[string]any{"kind": "a", "n": 4})
			b.Delete(coll.Doc("b1"))
			b.Update(coll.Doc("a1"), []firestore.Update{{Path: "n", Value: 6}})
			b.Set(coll.Doc("z"), map[string]any{"kind": "z", "n": 0}) // outside the query
			_, err := b.Commit(ctx)
			return err
		}, "a4 a1", "added:a4 modified:a1 removed:b1"},
	}
	for _, st := range steps {
		if err := st.write(); err != nil {
			t.Fatalf("%s: %v", st.what, err)
		}
		s := querySnap(t, it)
		if got := snapIDs(t, s); got != st.ids {
			t.Errorf("%s: results %q, want %q", st.what, got, st.ids)
		}
		if got := snapChanges(s); got != st.changes {
			t.Errorf("%s: changes %q, want %q", st.what, got, st.changes)
		}
		if !s.ReadTime.After(last) {
			t.Errorf("%s: read time %v not after %v", st.what, s.ReadTime, last)
		}
		last = s.ReadTime
	}
	it.Stop()
	waitNoListeners(t, srv)
}

// TestListenQueryLimit checks a windowed query: a document that the
// commit did not touch leaves (and re-enters) the results.
func TestListenQueryLimit(t *testing.T) {
	srv := newTestServer(t)
	ctx := context.Background()
	admin := adminClient(t, srv)
	coll := admin.Collection("top")
	for i := 1; i <= 3; i++ {
		if _, err := coll.Doc(fmt.Sprintf("n%d", i)).Set(ctx, map[string]any{"n": i}); err != nil {
			t.Fatal(err)
		}
	}
	it := coll.OrderBy("n", firestore.Asc).Limit(2).Snapshots(ctx)
	t.Cleanup(it.Stop)
	if got := snapIDs(t, querySnap(t, it)); got != "n1 n2" {
		t.Fatalf("initial %q", got)
	}
	if _, err := coll.Doc("n0").Set(ctx, map[string]any{"n": 0}); err != nil {
		t.Fatal(err)
	}
	s := querySnap(t, it)
	if got, ch := snapIDs(t, s), snapChanges(s); got != "n0 n1" || ch != "added:n0 removed:n2" {
		t.Fatalf("after insert: %q (%s), want n0 n1 (added:n0 removed:n2)", got, ch)
	}
	if _, err := coll.Doc("n1").Delete(ctx); err != nil {
		t.Fatal(err)
	}
	s = querySnap(t, it)
	if got, ch := snapIDs(t, s), snapChanges(s); got != "n0 n2" || ch != "added:n2 removed:n1" {
		t.Fatalf("after delete: %q (%s), want n0 n2 (added:n2 removed:n1)", got, ch)
	}
}

// Rules for the listen-authorization tests: messages are readable by
// the room's members, a member document by its own user.
const listenRules = `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /rooms/{room} {
      match /messages/{msg} {
        allow read: if exists(/databases/$(database)/documents/rooms/$(room)/members/$(request.auth.uid));
      }
      match /members/{uid} {
        allow read: if request.auth.uid == uid;
      }
    }
  }
}`

func TestListenDenied(t *testing.T) {
	srv := newTestServer(t)
	loadRules(t, srv, listenRules)
	ctx := context.Background()
	admin := adminClient(t, srv)
	if _, err := admin.Doc("rooms/r/messages/m1").Set(ctx, map[string]any{"text": "hi"}); err != nil {
		t.Fatal(err)
	}
	bob := userClient(t, srv, "bob", nil)

	qit := bob.Collection("rooms/r/messages").Snapshots(ctx)
	t.Cleanup(qit.Stop)
	_, err := within(t, qit.Next)
	assertDenied(t, err, "query listen by a non-member")

	dit := bob.Doc("rooms/r/messages/m1").Snapshots(ctx)
	t.Cleanup(dit.Stop)
	_, err = within(t, dit.Next)
	assertDenied(t, err, "document listen by a non-member")

	anon := dial(t, srv, "")
	ait := anon.Doc("rooms/r/messages/m1").Snapshots(ctx)
	t.Cleanup(ait.Stop)
	_, err = within(t, ait.Next)
	assertDenied(t, err, "anonymous document listen")

	// The admin is not subject to rules.
	okIt := admin.Collection("rooms/r/messages").Snapshots(ctx)
	t.Cleanup(okIt.Stop)
	if got := snapIDs(t, querySnap(t, okIt)); got != "m1" {
		t.Errorf("admin listen: %q", got)
	}
	qit.Stop()
	dit.Stop()
	ait.Stop()
	okIt.Stop()
	waitNoListeners(t, srv)
}

// TestListenerLosesAccess is the chat case: a member listens
// to the room's messages; when the admin deletes the membership, the
// listener ends with PERMISSION_DENIED.
func TestListenerLosesAccess(t *testing.T) {
	srv := newTestServer(t)
	loadRules(t, srv, listenRules)
	ctx := context.Background()
	admin := adminClient(t, srv)
	member := admin.Doc("rooms/r/members/alice")
	for path, v := range map[string]map[string]any{
		"rooms/r/members/alice": {"role": "member"},
		"rooms/r/messages/m1":   {"text": "hi"},
	} {
		if _, err := admin.Doc(path).Set(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	alice := userClient(t, srv, "alice", nil)
	qit := alice.Collection("rooms/r/messages").Snapshots(ctx)
	t.Cleanup(qit.Stop)
	dit := alice.Doc("rooms/r/messages/m1").Snapshots(ctx)
	t.Cleanup(dit.Stop)
	if got := snapIDs(t, querySnap(t, qit)); got != "m1" {
		t.Fatalf("member's initial messages %q", got)
	}
	if !docSnap(t, dit).Exists() {
		t.Fatal("member's document listener: m1 missing")
	}

	// A commit to another member's document is not a reason to stop.
	if _, err := admin.Doc("rooms/r/members/carol").Set(ctx, map[string]any{"role": "member"}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Doc("rooms/r/messages/m2").Set(ctx, map[string]any{"text": "still here"}); err != nil {
		t.Fatal(err)
	}
	if s := querySnap(t, qit); snapChanges(s) != "added:m2" {
		t.Fatalf("member sees %q, want added:m2", snapChanges(s))
	}

	if _, err := member.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	if external() {
		// Google's emulator re-decides a listener only when it has a
		// change to deliver (observed); ours ends it at the commit that
		// removed access, which is what is checked without this edit.
		if _, err := admin.Doc("rooms/r/messages/m1").Set(ctx, map[string]any{"text": "edited"}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := within(t, qit.Next)
	assertDenied(t, err, "query listener after the membership was deleted")
	_, err = within(t, dit.Next)
	assertDenied(t, err, "document listener after the membership was deleted")

	// Re-admitted, listening again: a batch that removes the member and
	// posts a message must end the listener without showing the message.
	if _, err := member.Set(ctx, map[string]any{"role": "member"}); err != nil {
		t.Fatal(err)
	}
	qit2 := alice.Collection("rooms/r/messages").Snapshots(ctx)
	t.Cleanup(qit2.Stop)
	if got := snapIDs(t, querySnap(t, qit2)); got != "m1 m2" {
		t.Fatalf("re-admitted member sees %q", got)
	}
	b := admin.Batch()
	b.Delete(member)
	b.Set(admin.Doc("rooms/r/messages/m3"), map[string]any{"text": "secret"})
	if _, err := b.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	s, err := within(t, qit2.Next)
	if err == nil {
		t.Fatalf("listener got a snapshot %q after losing access", snapIDs(t, s))
	}
	assertDenied(t, err, "listener when membership is deleted with a new message")

	qit.Stop()
	dit.Stop()
	qit2.Stop()
	waitNoListeners(t, srv)
}

// TestListenCancelEndsStream checks that a client cancelling its context
// ends the server side of the stream (no goroutine or subscription left).
func TestListenCancelEndsStream(t *testing.T) {
	srv := newTestServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	admin := adminClient(t, srv)
	it := admin.Doc("x/y").Snapshots(ctx)
	t.Cleanup(it.Stop)
	docSnap(t, it)
	cancel()
	if _, err := within(t, it.Next); err == nil {
		t.Fatal("Next after cancel returned a snapshot")
	}
	waitNoListeners(t, srv)
}
