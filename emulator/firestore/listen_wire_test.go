package firestore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// The Listen protocol on the wire, as the JS SDK drives it: several
// targets on one stream, add/remove acknowledgements, resume with RESET.

// wireListen is a raw Listen stream with a receive deadline per message.
type wireListen struct {
	t      *testing.T
	stream firestorepb.Firestore_ListenClient
	msgs   chan *firestorepb.ListenResponse
	errc   chan error
	// lastRead is the greatest global read_time seen: it must never go
	// backwards.
	lastRead time.Time
}

func openListen(t *testing.T, srv *Server, token string) *wireListen {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	stream, err := rawClient(t, srv, token).Listen(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w := &wireListen{t: t, stream: stream, msgs: make(chan *firestorepb.ListenResponse, 100), errc: make(chan error, 1)}
	go func() {
		for {
			m, err := stream.Recv()
			if err != nil {
				w.errc <- err
				return
			}
			w.msgs <- m
		}
	}()
	return w
}

func (w *wireListen) add(target *firestorepb.Target) {
	w.t.Helper()
	if err := w.stream.Send(&firestorepb.ListenRequest{Database: testDB,
		TargetChange: &firestorepb.ListenRequest_AddTarget{AddTarget: target}}); err != nil {
		w.t.Fatal(err)
	}
}

func (w *wireListen) remove(id int32) {
	w.t.Helper()
	if err := w.stream.Send(&firestorepb.ListenRequest{Database: testDB,
		TargetChange: &firestorepb.ListenRequest_RemoveTarget{RemoveTarget: id}}); err != nil {
		w.t.Fatal(err)
	}
}

// next returns the next message, failing the test after 5s.
func (w *wireListen) next() *firestorepb.ListenResponse {
	w.t.Helper()
	select {
	case m := <-w.msgs:
		if tc := m.GetTargetChange(); tc != nil && len(tc.TargetIds) == 0 && tc.ReadTime != nil {
			rt := tc.ReadTime.AsTime()
			if rt.Before(w.lastRead) {
				w.t.Errorf("global read_time went backwards: %v after %v", rt, w.lastRead)
			}
			w.lastRead = rt
		}
		return m
	case err := <-w.errc:
		w.t.Fatalf("stream ended: %v", err)
	case <-time.After(5 * time.Second):
		w.t.Fatal("no Listen message within 5s")
	}
	return nil
}

// describe renders a message compactly: "ADD[2]", "CURRENT[2]",
// "NO_CHANGE[]", "REMOVE[4]:PermissionDenied", "RESET[6]", "change[2]:rooms/a",
// "delete[-4]:items/i2", "remove[-4]:items/i1".
func describe(m *firestorepb.ListenResponse) string {
	short := func(name string) string { return strings.TrimPrefix(name, testDB+"/documents/") }
	switch r := m.ResponseType.(type) {
	case *firestorepb.ListenResponse_TargetChange:
		tc := r.TargetChange
		s := fmt.Sprintf("%s%v", tc.TargetChangeType, tc.TargetIds)
		if tc.TargetIds == nil {
			s = tc.TargetChangeType.String() + "[]"
		}
		if tc.Cause != nil {
			s += ":" + codes.Code(tc.Cause.Code).String()
		}
		return s
	case *firestorepb.ListenResponse_DocumentChange:
		dc := r.DocumentChange
		if len(dc.RemovedTargetIds) > 0 {
			return fmt.Sprintf("change-%v:%s", dc.RemovedTargetIds, short(dc.Document.Name))
		}
		return fmt.Sprintf("change%v:%s", dc.TargetIds, short(dc.Document.Name))
	case *firestorepb.ListenResponse_DocumentDelete:
		return fmt.Sprintf("delete-%v:%s", r.DocumentDelete.RemovedTargetIds, short(r.DocumentDelete.Document))
	case *firestorepb.ListenResponse_DocumentRemove:
		return fmt.Sprintf("remove-%v:%s", r.DocumentRemove.RemovedTargetIds, short(r.DocumentRemove.Document))
	}
	return fmt.Sprintf("%T", m.ResponseType)
}

// expect reads len(want) messages and compares their descriptions.
func (w *wireListen) expect(what string, want ...string) []*firestorepb.ListenResponse {
	w.t.Helper()
	var got []string
	var msgs []*firestorepb.ListenResponse
	for range want {
		m := w.next()
		msgs = append(msgs, m)
		got = append(got, describe(m))
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		w.t.Fatalf("%s:\n got  %s\n want %s", what, strings.Join(got, " "), strings.Join(want, " "))
	}
	return msgs
}

func docsTarget(id int32, rels ...string) *firestorepb.Target {
	var names []string
	for _, r := range rels {
		names = append(names, testDB+"/documents/"+r)
	}
	return &firestorepb.Target{TargetId: id, TargetType: &firestorepb.Target_Documents{
		Documents: &firestorepb.Target_DocumentsTarget{Documents: names}}}
}

func queryTarget(id int32, parentRel string, q *firestorepb.StructuredQuery) *firestorepb.Target {
	parent := testDB + "/documents"
	if parentRel != "" {
		parent += "/" + parentRel
	}
	return &firestorepb.Target{TargetId: id, TargetType: &firestorepb.Target_Query{Query: &firestorepb.Target_QueryTarget{
		Parent: parent, QueryType: &firestorepb.Target_QueryTarget_StructuredQuery{StructuredQuery: q}}}}
}

// commitRaw commits writes as admin and returns the commit time.
func commitRaw(t *testing.T, rc firestorepb.FirestoreClient, writes ...*firestorepb.Write) time.Time {
	t.Helper()
	resp, err := rc.Commit(context.Background(), &firestorepb.CommitRequest{Database: testDB, Writes: writes})
	if err != nil {
		t.Fatal(err)
	}
	return resp.CommitTime.AsTime()
}

// setW is a Write setting rel to {field: v}.
func setW(rel, field string, v *firestorepb.Value) *firestorepb.Write {
	d := &firestorepb.Document{Name: testDB + "/documents/" + rel, Fields: map[string]*firestorepb.Value{field: v}}
	return &firestorepb.Write{Operation: &firestorepb.Write_Update{Update: d}}
}

func delW(rel string) *firestorepb.Write {
	return &firestorepb.Write{Operation: &firestorepb.Write_Delete{Delete: testDB + "/documents/" + rel}}
}

// globalTime returns the read time of a global NO_CHANGE and checks its
// resume token encodes it.
func globalTime(t *testing.T, m *firestorepb.ListenResponse) time.Time {
	t.Helper()
	tc := m.GetTargetChange()
	if tc == nil || tc.TargetChangeType != firestorepb.TargetChange_NO_CHANGE || len(tc.TargetIds) != 0 || tc.ReadTime == nil {
		t.Fatalf("want a global NO_CHANGE with read_time, got %s", describe(m))
	}
	rt := tc.ReadTime.AsTime()
	// Resume tokens are opaque to clients; ours encode the read time,
	// Google's emulator's do not.
	if tok, ok := decodeResumeToken(tc.ResumeToken); !external() && (!ok || !tok.Equal(rt)) {
		t.Errorf("resume token %x does not encode read time %v", tc.ResumeToken, rt)
	}
	return rt
}

func TestListenWireMultiTarget(t *testing.T) {
	srv := newTestServer(t)
	rc := rawClient(t, srv, "owner")
	commitRaw(t, rc, setW("rooms/a", "v", vInt(1)), setW("items/i1", "k", vInt(1)), setW("items/i2", "k", vInt(2)))

	w := openListen(t, srv, "owner")
	m := newListenModel()
	w.add(docsTarget(2, "rooms/a"))
	msgs := w.step(m, "documents target", "2:[rooms/a]", "ADD[2]", "change[2]:rooms/a", "CURRENT[2]", "NO_CHANGE[]")
	if d := msgs[1].GetDocumentChange().Document; d.CreateTime == nil || d.UpdateTime == nil || d.Fields["v"].GetIntegerValue() != 1 {
		t.Errorf("initial document lacks data or timestamps: %v", d)
	}
	if len(msgs[2].GetTargetChange().ResumeToken) == 0 {
		t.Error("CURRENT carries no resume token")
	}
	rt1 := globalTime(t, msgs[3])
	token := msgs[3].GetTargetChange().ResumeToken

	q := &firestorepb.StructuredQuery{
		From:    from("items", false),
		Where:   ff("k", firestorepb.StructuredQuery_FieldFilter_GREATER_THAN_OR_EQUAL, vInt(1)),
		OrderBy: []*firestorepb.StructuredQuery_Order{ord("k", false)},
	}
	w.add(queryTarget(4, "", q))
	msgs = w.step(m, "query target", "2:[rooms/a] 4:[items/i1 items/i2]", "ADD[4]", "change[4]:items/i1", "change[4]:items/i2", "CURRENT[4]", "NO_CHANGE[]")
	if rt2 := globalTime(t, msgs[len(msgs)-1]); rt2.Before(rt1) {
		t.Errorf("second read time %v before first %v", rt2, rt1)
	}

	// One commit touching both targets: each gets its change, then one
	// global NO_CHANGE at the commit time. (Google's emulator re-sends
	// the query target in full after a RESET.)
	ct := commitRaw(t, rc, setW("rooms/a", "v", vInt(2)), setW("items/i3", "k", vInt(3)), setW("elsewhere/x", "k", vInt(9)))
	msgs = w.step(m, "commit to both", "2:[rooms/a] 4:[items/i1 items/i2 items/i3]", "change[2]:rooms/a", "change[4]:items/i3", "NO_CHANGE[]")
	// The snapshot includes the commit: its read time is not before the
	// commit time (ours: exactly the commit time; Google's emulator: later).
	if rt := globalTime(t, msgs[len(msgs)-1]); rt.Before(ct) || !external() && !rt.Equal(ct) {
		t.Errorf("NO_CHANGE read_time %v, want the commit time %v", rt, ct)
	}

	// A document leaving the query by an update is a DocumentRemove; a
	// deleted one a DocumentDelete at the commit time.
	commitRaw(t, rc, setW("items/i1", "k", vInt(0)))
	w.step(m, "update out of the query", "2:[rooms/a] 4:[items/i2 items/i3]", "remove-[4]:items/i1", "NO_CHANGE[]")
	ct = commitRaw(t, rc, delW("items/i2"))
	msgs = w.step(m, "delete", "2:[rooms/a] 4:[items/i3]", "delete-[4]:items/i2", "NO_CHANGE[]")
	if del := msgs[0].GetDocumentDelete(); !external() && !del.ReadTime.AsTime().Equal(ct) {
		t.Errorf("DocumentDelete read_time %v, want commit time %v", del.ReadTime.AsTime(), ct)
	}

	// A commit touching nothing listened to sends nothing: the next
	// message is the one for the following relevant commit.
	commitRaw(t, rc, setW("elsewhere/y", "k", vInt(1)))
	// A no-op write (same data) changes nothing either. (Google's
	// emulator re-sends the query target for it; the state is the same.)
	commitRaw(t, rc, setW("items/i3", "k", vInt(3)))
	if external() {
		w.settle(m, 500*time.Millisecond)
	}

	w.remove(2)
	w.step(m, "remove ack", "4:[items/i3]", "REMOVE[2]")
	commitRaw(t, rc, setW("rooms/a", "v", vInt(3)))   // target 2 is gone
	commitRaw(t, rc, setW("items/i3", "k", vInt(30))) // target 4 is not
	w.step(m, "after remove", "4:[items/i3]", "change[4]:items/i3", "NO_CHANGE[]")

	// Resuming with a token: ADD, RESET, the full set, CURRENT, NO_CHANGE.
	rd := docsTarget(6, "rooms/a")
	rd.ResumeType = &firestorepb.Target_ResumeToken{ResumeToken: token}
	w.add(rd)
	msgs = w.step(m, "resume", "4:[items/i3] 6:[rooms/a]", "ADD[6]", "RESET[6]", "change[6]:rooms/a", "CURRENT[6]", "NO_CHANGE[]")
	for _, msg := range msgs {
		if dc := msg.GetDocumentChange(); dc != nil {
			if v := dc.Document.Fields["v"].GetIntegerValue(); v != 3 {
				t.Errorf("resumed target sent v=%d, want the current 3", v)
			}
		}
	}

	// A document target for a missing document is CURRENT with no doc
	// (Google's emulator sends a DocumentDelete for it first).
	w.add(docsTarget(8, "rooms/none"))
	w.step(m, "missing document", "4:[items/i3] 6:[rooms/a] 8:[]", "ADD[8]", "CURRENT[8]", "NO_CHANGE[]")
	commitRaw(t, rc, setW("rooms/none", "v", vInt(1)))
	w.step(m, "created", "4:[items/i3] 6:[rooms/a] 8:[rooms/none]", "change[8]:rooms/none", "NO_CHANGE[]")

	// target_id 0: the server picks an id and reports it in ADD.
	w.add(docsTarget(0, "rooms/a"))
	add := w.next().GetTargetChange()
	if add.GetTargetChangeType() != firestorepb.TargetChange_ADD || len(add.TargetIds) != 1 || add.TargetIds[0] <= 0 {
		t.Fatalf("target_id 0: got %v", add)
	}
	auto := add.TargetIds[0]
	w.expect("auto id", fmt.Sprintf("change[%d]:rooms/a", auto), fmt.Sprintf("CURRENT[%d]", auto), "NO_CHANGE[]")

	// Half-closing ends the stream cleanly.
	if err := w.stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-w.errc:
		if !errors.Is(err, io.EOF) {
			t.Errorf("after CloseSend: %v, want EOF (status OK)", err)
		}
	case m := <-w.msgs:
		t.Errorf("unexpected message after CloseSend: %s", describe(m))
	case <-time.After(5 * time.Second):
		t.Error("stream still open 5s after CloseSend")
	}
	waitNoListeners(t, srv)
}

// TestListenWireRules: a denied target gets REMOVE with cause 7 (ours
// sends only that; Google's emulator acknowledges the target with ADD
// first), the stream and its other targets carry on; a target whose
// access goes away in a commit is removed before any change of that
// commit is sent.
func TestListenWireRules(t *testing.T) {
	srv := newTestServer(t)
	loadRules(t, srv, listenRules)
	rc := rawClient(t, srv, "owner")
	commitRaw(t, rc, setW("rooms/r/members/alice", "role", vStr("member")), setW("rooms/r/messages/m1", "text", vStr("hi")),
		setW("rooms/s/messages/m1", "text", vStr("other room")))

	w := openListen(t, srv, unsignedJWT("alice", nil))
	m := newListenModel()
	w.add(queryTarget(2, "rooms/r", &firestorepb.StructuredQuery{From: from("messages", false)}))
	w.step(m, "allowed query", "2:[rooms/r/messages/m1]", "ADD[2]", "change[2]:rooms/r/messages/m1", "CURRENT[2]", "NO_CHANGE[]")
	w.add(docsTarget(4, "rooms/s/messages/m1"))
	msgs := w.step(m, "denied document", "2:[rooms/r/messages/m1] 4:REMOVED(PermissionDenied)", "REMOVE[4]:PermissionDenied")
	if msg := msgs[len(msgs)-1].GetTargetChange().GetCause().GetMessage(); !strings.Contains(msg, "@ L") {
		t.Errorf("denial cause %q does not name the rule line", msg)
	}
	w.add(queryTarget(6, "rooms/s", &firestorepb.StructuredQuery{From: from("messages", false)}))
	w.step(m, "denied query", "2:[rooms/r/messages/m1] 4:REMOVED(PermissionDenied) 6:REMOVED(PermissionDenied)", "REMOVE[6]:PermissionDenied")

	// The allowed target still works.
	commitRaw(t, rc, setW("rooms/r/messages/m2", "text", vStr("more")))
	w.step(m, "still listening", "2:[rooms/r/messages/m1 rooms/r/messages/m2] 4:REMOVED(PermissionDenied) 6:REMOVED(PermissionDenied)",
		"change[2]:rooms/r/messages/m2", "NO_CHANGE[]")

	// Removing the membership and posting in one commit: the target is
	// removed and the new message is never sent.
	commitRaw(t, rc, delW("rooms/r/members/alice"), setW("rooms/r/messages/m3", "text", vStr("secret")))
	msgs = w.step(m, "access lost", "2:REMOVED(PermissionDenied) 4:REMOVED(PermissionDenied) 6:REMOVED(PermissionDenied)",
		"REMOVE[2]:PermissionDenied", "NO_CHANGE[]")
	for _, msg := range msgs {
		if dc := msg.GetDocumentChange(); dc != nil {
			t.Errorf("sent %s with the removal", describe(msg))
		}
	}
	commitRaw(t, rc, setW("rooms/r/messages/m4", "text", vStr("later")))
	select {
	case m := <-w.msgs:
		t.Errorf("removed target still receives: %s", describe(m))
	case <-time.After(100 * time.Millisecond):
	}

	// Ids of invalid targets are refused like denied ones, with their
	// code. Google's emulator ends the whole stream with UNKNOWN instead,
	// so this is checked against ours only.
	if !external() {
		w.add(queryTarget(8, "rooms/r", &firestorepb.StructuredQuery{From: from("messages", false),
			Limit: wrapperspb.Int32(-1)}))
		w.expect("invalid query", "REMOVE[8]:InvalidArgument")
	}
}

// TestListenWireRulesReload: open targets are re-decided when the rules
// in force change: ours at the next commit, Google's emulator at the next
// change the target would deliver (observed).
func TestListenWireRulesReload(t *testing.T) {
	srv := newTestServer(t)
	srv.SetLogger(func(string, ...any) {})
	rc := rawClient(t, srv, "owner")
	commitRaw(t, rc, setW("open/d", "v", vInt(1)))
	w := openListen(t, srv, unsignedJWT("alice", nil))
	m := newListenModel()
	w.add(docsTarget(2, "open/d"))
	w.step(m, "no rules: allowed", "2:[open/d]", "ADD[2]", "change[2]:open/d", "CURRENT[2]", "NO_CHANGE[]")
	loadRules(t, srv, "rules_version = '2';\nservice cloud.firestore {\n  match /databases/{db}/documents {\n    match /{p=**} { allow read: if false; }\n  }\n}")
	if external() {
		commitRaw(t, rc, setW("open/d", "v", vInt(2)))
	} else {
		commitRaw(t, rc, setW("other/x", "v", vInt(1)))
	}
	w.step(m, "rules now deny", "2:REMOVED(PermissionDenied)", "REMOVE[2]:PermissionDenied", "NO_CHANGE[]")
}

func TestListenWireErrors(t *testing.T) {
	srv := newTestServer(t)
	w := openListen(t, srv, "owner")
	// Google's emulator sends a DocumentDelete for the missing document
	// before CURRENT; ours only CURRENT. Either leaves the target empty.
	w.add(docsTarget(2, "a/b"))
	w.step(newListenModel(), "first", "2:[]", "ADD[2]", "CURRENT[2]", "NO_CHANGE[]")
	w.add(docsTarget(2, "a/c")) // the id is in use: a protocol error
	select {
	case err := <-w.errc:
		// Google's emulator ends the stream with UNKNOWN.
		if err == nil || !external() && status.Code(err) != codes.InvalidArgument {
			t.Errorf("duplicate target id: %v, want InvalidArgument", err)
		}
	case m := <-w.msgs:
		t.Fatalf("duplicate target id answered with %s", describe(m))
	case <-time.After(5 * time.Second):
		t.Fatal("duplicate target id: no error")
	}

	bad := openListen(t, srv, "Bearer-garbage")
	bad.add(docsTarget(2, "a/b"))
	select {
	case err := <-bad.errc:
		if status.Code(err) != codes.InvalidArgument {
			t.Errorf("garbled token: %v, want InvalidArgument (invalid jwt)", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("garbled token: no error")
	}
	waitNoListeners(t, srv)
}
