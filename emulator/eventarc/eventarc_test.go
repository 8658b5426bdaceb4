package eventarc_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/firestore"
	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/roomgate/roomgate/emulator/emutest/emuclient"
	"github.com/roomgate/roomgate/emulator/eventarc"
	emufs "github.com/roomgate/roomgate/emulator/firestore"
)

const project = "demo-eventarc"

// delivery is one request a receiver got.
type delivery struct {
	path   string
	header http.Header
	value  *firestorepb.Document // DocumentEventData.value
	old    *firestorepb.Document // DocumentEventData.old_value
	raw    []byte
}

// receiver records deliveries; answer decides each status (nil: 204).
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	got    []delivery
	answer func(n int, d delivery) int // n counts from 1
}

func newReceiver(t *testing.T, answer func(int, delivery) int) *receiver {
	r := &receiver{t: t, answer: answer}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		d := delivery{path: req.URL.Path, header: req.Header.Clone(), raw: b}
		var err error
		if req.Method != http.MethodPost {
			err = fmt.Errorf("method %s", req.Method)
		} else {
			d.value, d.old, err = decode(b)
		}
		if err != nil {
			t.Errorf("delivery to %s: %v", req.URL.Path, err)
		}
		r.mu.Lock()
		r.got = append(r.got, d)
		n := len(r.got)
		r.mu.Unlock()
		status := http.StatusNoContent
		if r.answer != nil {
			status = r.answer(n, d)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got...)
}

// decode parses google.events.cloud.firestore.v1.DocumentEventData.
func decode(b []byte) (value, old *firestorepb.Document, err error) {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 || typ != protowire.BytesType || (num != 1 && num != 2) {
			return nil, nil, fmt.Errorf("unexpected field %d type %d", num, typ)
		}
		b = b[n:]
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return nil, nil, fmt.Errorf("truncated field %d", num)
		}
		b = b[n:]
		d := &firestorepb.Document{}
		if err := proto.Unmarshal(v, d); err != nil {
			return nil, nil, err
		}
		if num == 1 {
			value = d
		} else {
			old = d
		}
	}
	return value, old, nil
}

// emulator starts a Firestore emulator and an admin client of it.
func emulator(t *testing.T) (*emufs.Server, *firestore.Client) {
	t.Helper()
	srv, err := emufs.NewServer("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, emuclient.AdminClient(t, srv.Addr(), project)
}

func start(t *testing.T, srv *emufs.Server, triggers []eventarc.Trigger, opts eventarc.Options) *eventarc.Deliverer {
	t.Helper()
	if opts.Logf == nil {
		opts.Logf = t.Logf
	}
	d, err := eventarc.Start(srv, triggers, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

func docName(rel string) string {
	return "projects/" + project + "/databases/(default)/documents/" + rel
}

// TestCreatedEventShape: a created message is POSTed once, in binary
// content mode, with the attributes Firestore sets and the document as
// DocumentEventData.value; writes outside the pattern, and updates, are
// not delivered.
func TestCreatedEventShape(t *testing.T) {
	srv, c := emulator(t)
	rcv := newReceiver(t, nil)
	d := start(t, srv, []eventarc.Trigger{{
		Type: eventarc.TypeCreated, Document: "rooms/{roomId}/messages/{messageId}", URL: rcv.srv.URL + "/events",
	}}, eventarc.Options{})
	ctx := context.Background()
	msg := c.Collection("rooms").Doc("r1").Collection("messages").Doc("m1")
	wr, err := msg.Create(ctx, map[string]any{"text": "hello", "n": 7})
	if err != nil {
		t.Fatal(err)
	}
	// Not selected: another depth, another collection, an update.
	for _, w := range []func() error{
		func() error {
			_, err := c.Collection("rooms").Doc("r1").Set(ctx, map[string]any{"title": "t"})
			return err
		},
		func() error {
			_, err := c.Collection("rooms").Doc("r1").Collection("typing").Doc("m2").Set(ctx, map[string]any{"a": 1})
			return err
		},
		func() error {
			_, err := c.Collection("rooms").Doc("r1").Collection("messages").Doc("m1").Collection("x").Doc("y").Set(ctx, map[string]any{"a": 1})
			return err
		},
		func() error {
			_, err := msg.Update(ctx, []firestore.Update{{Path: "text", Value: "edited"}})
			return err
		},
	} {
		if err := w(); err != nil {
			t.Fatal(err)
		}
	}
	d.Flush()
	got := rcv.deliveries()
	if len(got) != 1 {
		t.Fatalf("%d deliveries, want 1: %+v", len(got), got)
	}
	g := got[0]
	want := map[string]string{
		"Content-Type":   "application/protobuf",
		"Ce-Specversion": "1.0",
		"Ce-Type":        eventarc.TypeCreated,
		"Ce-Source":      "//firestore.googleapis.com/projects/" + project + "/databases/(default)",
		"Ce-Subject":     "documents/rooms/r1/messages/m1",
		"Ce-Project":     project,
		"Ce-Database":    "(default)",
		"Ce-Namespace":   "(default)",
		"Ce-Document":    "rooms/r1/messages/m1",
		"Ce-Dataschema":  "https://github.com/googleapis/google-cloudevents/blob/main/proto/google/events/cloud/firestore/v1/data.proto",
	}
	for k, v := range want {
		if g.header.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, g.header.Get(k), v)
		}
	}
	if g.path != "/events" || g.header.Get("Ce-Id") == "" || g.header.Get("Authorization") != "" {
		t.Errorf("path %q, Ce-Id %q, Authorization %q", g.path, g.header.Get("Ce-Id"), g.header.Get("Authorization"))
	}
	if ts, err := time.Parse(time.RFC3339Nano, g.header.Get("Ce-Time")); err != nil || !ts.Equal(wr.UpdateTime) {
		t.Errorf("Ce-Time %q (%v), want the commit time %v", g.header.Get("Ce-Time"), err, wr.UpdateTime)
	}
	if g.old != nil || g.value == nil || g.value.Name != docName("rooms/r1/messages/m1") ||
		g.value.Fields["text"].GetStringValue() != "hello" || g.value.Fields["n"].GetIntegerValue() != 7 ||
		!g.value.CreateTime.AsTime().Equal(wr.UpdateTime) {
		t.Errorf("body: value %v, old %v", g.value, g.old)
	}
}

// TestEventTypes: created, updated, deleted and written select the
// writes they name, with value and old_value as Firestore sends them.
func TestEventTypes(t *testing.T) {
	srv, c := emulator(t)
	rcv := newReceiver(t, nil)
	var triggers []eventarc.Trigger
	for _, typ := range []string{eventarc.TypeCreated, eventarc.TypeUpdated, eventarc.TypeDeleted, eventarc.TypeWritten} {
		triggers = append(triggers, eventarc.Trigger{Type: typ, Document: "users/*", URL: rcv.srv.URL + "/" + typ})
	}
	d := start(t, srv, triggers, eventarc.Options{})
	ctx := context.Background()
	u := c.Collection("users").Doc("u1")
	if _, err := u.Set(ctx, map[string]any{"v": 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Set(ctx, map[string]any{"v": 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Set(ctx, map[string]any{"v": 2}); err != nil { // no change: no event
		t.Fatal(err)
	}
	if _, err := u.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	d.Flush()
	byType := map[string][]delivery{}
	for _, g := range rcv.deliveries() {
		typ := strings.TrimPrefix(g.path, "/")
		if g.header.Get("Ce-Type") != typ {
			t.Errorf("delivery to %s has Ce-Type %s", g.path, g.header.Get("Ce-Type"))
		}
		byType[typ] = append(byType[typ], g)
	}
	v := func(doc *firestorepb.Document) int64 {
		if doc == nil {
			return 0
		}
		return doc.Fields["v"].GetIntegerValue()
	}
	check := func(typ string, want [][2]int64) {
		t.Helper()
		got := byType[typ]
		if len(got) != len(want) {
			t.Errorf("%s: %d deliveries, want %d", typ, len(got), len(want))
			return
		}
		for i, g := range got {
			if v(g.value) != want[i][0] || v(g.old) != want[i][1] {
				t.Errorf("%s #%d: value %d old %d, want %v", typ, i, v(g.value), v(g.old), want[i])
			}
		}
	}
	// {value.v, old_value.v}; 0 is absent.
	check(eventarc.TypeCreated, [][2]int64{{1, 0}})
	check(eventarc.TypeUpdated, [][2]int64{{2, 1}})
	check(eventarc.TypeDeleted, [][2]int64{{0, 2}})
	check(eventarc.TypeWritten, [][2]int64{{1, 0}, {2, 1}, {0, 2}})
}

// TestRetriesUntilAccepted: a failing receiver gets the same event (same
// Ce-Id, same body) again until it answers 2xx; an event that fails every
// attempt is dropped and the next one still goes out.
func TestRetriesUntilAccepted(t *testing.T) {
	srv, c := emulator(t)
	rcv := newReceiver(t, func(n int, d delivery) int {
		switch d.value.GetFields()["k"].GetStringValue() {
		case "flaky":
			if n <= 2 {
				return http.StatusInternalServerError
			}
		case "doomed":
			return http.StatusBadRequest
		}
		return http.StatusOK
	})
	var mu sync.Mutex
	var logs []string
	d := start(t, srv, []eventarc.Trigger{{Type: eventarc.TypeCreated, Document: "q/*", URL: rcv.srv.URL}},
		eventarc.Options{Attempts: 3, RetryDelay: time.Millisecond, Logf: func(f string, a ...any) {
			mu.Lock()
			logs = append(logs, fmt.Sprintf(f, a...))
			mu.Unlock()
		}})
	ctx := context.Background()
	for _, k := range []string{"flaky", "doomed", "fine"} {
		if _, err := c.Collection("q").Doc(k).Create(ctx, map[string]any{"k": k}); err != nil {
			t.Fatal(err)
		}
	}
	d.Flush()
	var order []string
	ids := map[string]map[string]bool{}
	for _, g := range rcv.deliveries() {
		k := g.value.GetFields()["k"].GetStringValue()
		order = append(order, k)
		if ids[k] == nil {
			ids[k] = map[string]bool{}
		}
		ids[k][g.header.Get("Ce-Id")] = true
	}
	if got := strings.Join(order, ","); got != "flaky,flaky,flaky,doomed,doomed,doomed,fine" {
		t.Errorf("delivery order %s", got)
	}
	if len(ids["flaky"]) != 1 || len(ids["doomed"]) != 1 {
		t.Errorf("a retry changed Ce-Id: %v", ids)
	}
	for id := range ids["flaky"] {
		if ids["fine"][id] {
			t.Errorf("two events share Ce-Id %s", id)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(strings.Join(logs, "\n"), "dropped "+docName("q/doomed")) {
		t.Errorf("no drop logged: %q", logs)
	}
}

// TestCommitsDoNotWaitForTheReceiver: while the receiver is stuck on the
// first event, far more writes than any fixed buffer commit; releasing it
// delivers every one, in commit order.
func TestCommitsDoNotWaitForTheReceiver(t *testing.T) {
	srv, c := emulator(t)
	release := make(chan struct{})
	rcv := newReceiver(t, func(n int, _ delivery) int {
		if n == 1 {
			<-release
		}
		return http.StatusOK
	})
	d := start(t, srv, []eventarc.Trigger{{Type: eventarc.TypeCreated, Document: "bulk/*", URL: rcv.srv.URL}}, eventarc.Options{})
	ctx := context.Background()
	const batches, per = 5, 300
	for b := range batches {
		batch := c.Batch()
		for i := range per {
			batch.Create(c.Collection("bulk").Doc(fmt.Sprintf("d%02d-%03d", b, i)), map[string]any{"b": b})
		}
		if _, err := batch.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	close(release)
	d.Flush()
	got := rcv.deliveries()
	if len(got) != batches*per {
		t.Fatalf("%d deliveries, want %d", len(got), batches*per)
	}
	for i := 1; i < len(got); i++ {
		if got[i].value.GetFields()["b"].GetIntegerValue() < got[i-1].value.GetFields()["b"].GetIntegerValue() {
			t.Fatalf("delivery %d is from an earlier commit than %d", i, i-1)
		}
	}
}

// TestCloseDeliversQueuedThenStops: Close delivers what was committed
// before it, then nothing more; a second Close and a Flush after Close
// return.
func TestCloseDeliversQueuedThenStops(t *testing.T) {
	srv, c := emulator(t)
	release := make(chan struct{})
	rcv := newReceiver(t, func(n int, _ delivery) int {
		if n == 1 {
			<-release
		}
		return http.StatusOK
	})
	d, err := eventarc.Start(srv, []eventarc.Trigger{{Type: eventarc.TypeWritten, Document: "s/*", URL: rcv.srv.URL}}, eventarc.Options{Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 3 {
		if _, err := c.Collection("s").Doc(fmt.Sprint(i)).Set(ctx, map[string]any{"i": i}); err != nil {
			t.Fatal(err)
		}
	}
	closed := make(chan struct{})
	go func() { d.Close(); close(closed) }()
	close(release)
	<-closed
	if n := len(rcv.deliveries()); n != 3 {
		t.Errorf("%d deliveries by Close, want 3", n)
	}
	if _, err := c.Collection("s").Doc("late").Set(ctx, map[string]any{"i": 9}); err != nil {
		t.Fatal(err)
	}
	d.Close()
	d.Flush()
	if n := len(rcv.deliveries()); n != 3 {
		t.Errorf("%d deliveries after a write following Close, want 3", n)
	}
}

func TestStartRefusesBadTriggers(t *testing.T) {
	srv, _ := emulator(t)
	for _, tr := range []eventarc.Trigger{
		{Type: "google.cloud.firestore.document.v1.touched", Document: "a/*", URL: "http://127.0.0.1:1/"},
		{Type: eventarc.TypeCreated, Document: "", URL: "http://127.0.0.1:1/"},
		{Type: eventarc.TypeCreated, Document: "a/*", URL: ""},
		{Type: eventarc.TypeCreated, Document: "a/*", URL: "ftp://127.0.0.1/"},
		{Type: eventarc.TypeCreated, Document: "a/*", URL: "/relative"},
		{Type: eventarc.TypeCreated, Document: "a/**", URL: "http://127.0.0.1:1/"},
		{Type: eventarc.TypeCreated, Document: "a/m-*", URL: "http://127.0.0.1:1/"},
		{Type: eventarc.TypeCreated, Document: "a/{id=**}", URL: "http://127.0.0.1:1/"},
		{Type: eventarc.TypeCreated, Document: "a//b", URL: "http://127.0.0.1:1/"},
	} {
		if d, err := eventarc.Start(srv, []eventarc.Trigger{tr}, eventarc.Options{}); err == nil {
			d.Close()
			t.Errorf("Start accepted %+v", tr)
		}
	}
}
