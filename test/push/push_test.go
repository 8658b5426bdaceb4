package push

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roomgate/roomgate/emulator/eventarc"
)

// Three users' phones; tokens look like FCM's.
const (
	tokAlice = "fcm-token-alice:APA91bAAAAAAAAAAAAAAAAAAAAAAAAA"
	tokBob   = "fcm-token-bob:APA91bBBBBBBBBBBBBBBBBBBBBBBBBBB"
	tokCarol = "fcm-token-carol:APA91bCCCCCCCCCCCCCCCCCCCCCCCCCC"
)

// fixture: alice, bob and carol admitted, a room of the three, each with
// a registered device.
func fixture(t *testing.T) (*suite, string) {
	s := newSuite(t)
	s.admit("alice", "bob", "carol")
	room := s.room("alice", "bob", "carol")
	s.device("alice", "alice-phone", tokAlice)
	s.device("bob", "bob-phone", tokBob)
	s.device("carol", "carol-phone", tokCarol)
	return s, room
}

// TestEventarcDeliveryPushesOthersOnceWithoutText: the emulator delivers
// the created CloudEvent (protobuf, binary mode) to the service, which
// pushes bob and carol (not alice, the sender) a generic notification
// with {roomId, messageId}; a redelivery sends nothing more.
func TestEventarcDeliveryPushesOthersOnceWithoutText(t *testing.T) {
	s, room := fixture(t)
	d, err := eventarc.Start(s.emu.Firestore, []eventarc.Trigger{{
		Type: eventarc.TypeCreated, Document: "rooms/*/messages/*", URL: s.srv.URL + "/events/firestore",
	}}, eventarc.Options{Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	msg := s.send("alice", room)
	d.Flush()
	got := s.pushesFor(msg)
	if toks := tokensOf(got); len(got) != 2 || toks[tokBob] != 1 || toks[tokCarol] != 1 {
		t.Fatalf("pushes = %v, want one each to bob and carol", toks)
	}
	for _, m := range got {
		if m.Data["roomId"] != room || m.Data["messageId"] != msg || len(m.Data) != 2 {
			t.Errorf("data = %v", m.Data)
		}
		if m.Notification == nil || m.Notification.Title != "New message" || m.Notification.Body != "You have a new message" {
			t.Errorf("notification = %+v", m.Notification)
		}
	}

	// Redelivery (Eventarc is at-least-once): deduped, nothing sent.
	if code := s.deliver(s.srv.URL, room, msg); code != 200 {
		t.Fatalf("redelivery = %d", code)
	}
	if n := len(s.pushesFor(msg)); n != 2 {
		t.Fatalf("after redelivery %d pushes, want 2", n)
	}
	if v := count(s.svc.Push.Metrics.Deduped); v != 1 {
		t.Errorf("deduped = %v, want 1", v)
	}
	if v := count(s.svc.Push.Metrics.Sent); v != 2 {
		t.Errorf("sent = %v, want 2", v)
	}
	s.assertNoSecret("alice")

	// The counters are on /metrics.
	code, body := s.call(s.srv.URL, "GET", "/metrics", "", "")
	for _, m := range []string{"roomgate_push_sent_total 2", "roomgate_push_deduped_total 1", "roomgate_push_failed_total 0"} {
		if code != 200 || !strings.Contains(body, m) {
			t.Errorf("/metrics lacks %q", m)
		}
	}
}

// TestTwoInstancesNeverDoubleSend delivers the same events to two service
// instances at once, several times over; every device gets each message
// exactly once.
func TestTwoInstancesNeverDoubleSend(t *testing.T) {
	s, room := fixture(t)
	svc2, srv2, _ := s.instance()
	var msgs []string
	for range 5 {
		msgs = append(msgs, s.send("bob", room))
	}
	var wg sync.WaitGroup
	codes := make(chan int, 40)
	for _, m := range msgs {
		for _, base := range []string{s.srv.URL, srv2.URL, s.srv.URL, srv2.URL} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes <- s.deliverUntilDone(base, room, m)
			}()
		}
	}
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != 200 {
			t.Errorf("delivery answered %d", c)
		}
	}
	for _, m := range msgs {
		toks := tokensOf(s.pushesFor(m))
		if len(toks) != 2 || toks[tokAlice] != 1 || toks[tokCarol] != 1 {
			t.Errorf("message %s: pushes %v, want exactly one each to alice and carol", m, toks)
		}
	}
	deduped := count(s.svc.Push.Metrics.Deduped) + count(svc2.Push.Metrics.Deduped)
	sent := count(s.svc.Push.Metrics.Sent) + count(svc2.Push.Metrics.Sent)
	if sent != 10 || deduped != 15 {
		t.Errorf("sent %v deduped %v across instances, want 10 and 15", sent, deduped)
	}
	s.assertNoSecret("bob")
}

// TestMuteSkipsAMember: carol mutes the room and gets nothing; unmuting
// brings her pushes back. A non-member cannot mute (404, as for a room
// that does not exist).
func TestMuteSkipsAMember(t *testing.T) {
	s, room := fixture(t)
	s.admit("dave")
	s.must(204, "PUT", "/v1/rooms/"+room+"/members/me/mute", "carol", "")
	if code, body := s.call(s.srv.URL, "PUT", "/v1/rooms/"+room+"/members/me/mute", "dave", ""); code != 404 || !strings.Contains(body, "room_not_found") {
		t.Errorf("non-member mute = %d %s", code, body)
	}
	m1 := s.send("alice", room)
	if code := s.deliver(s.srv.URL, room, m1); code != 200 {
		t.Fatalf("deliver = %d", code)
	}
	if toks := tokensOf(s.pushesFor(m1)); len(toks) != 1 || toks[tokBob] != 1 {
		t.Errorf("muted: pushes %v, want only bob", toks)
	}
	s.must(204, "DELETE", "/v1/rooms/"+room+"/members/me/mute", "carol", "")
	m2 := s.send("alice", room)
	s.deliver(s.srv.URL, room, m2)
	if toks := tokensOf(s.pushesFor(m2)); len(toks) != 2 || toks[tokCarol] != 1 {
		t.Errorf("unmuted: pushes %v, want bob and carol", toks)
	}
	s.assertNoSecret("alice")
}

// TestStaleTokenIsDeleted: FCM answers UNREGISTERED for bob's token; the
// service counts it and deletes his device, and the next message does not
// try it again.
func TestStaleTokenIsDeleted(t *testing.T) {
	s, room := fixture(t)
	s.fcm.MarkUnregistered(tokBob)
	m1 := s.send("alice", room)
	if code := s.deliver(s.srv.URL, room, m1); code != 200 {
		t.Fatalf("deliver = %d", code)
	}
	if ids := s.devices("bob"); len(ids) != 0 {
		t.Errorf("bob's devices after UNREGISTERED: %v", ids)
	}
	if v := count(s.svc.Push.Metrics.Stale); v != 1 {
		t.Errorf("stale = %v", v)
	}
	if v := count(s.svc.Push.Metrics.Failed); v != 1 {
		t.Errorf("failed = %v", v)
	}
	m2 := s.send("alice", room)
	s.deliver(s.srv.URL, room, m2)
	if v := count(s.svc.Push.Metrics.Failed); v != 1 {
		t.Errorf("failed after the second message = %v, want still 1", v)
	}
	if toks := tokensOf(s.pushesFor(m2)); len(toks) != 1 || toks[tokCarol] != 1 {
		t.Errorf("pushes %v, want only carol", toks)
	}
}

// TestListenerSource: the Firestore-listener source pushes the same way.
func TestListenerSource(t *testing.T) {
	s, room := fixture(t)
	old := s.send("alice", room) // present before the listener starts: not pushed
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.svc.Push.Listen(ctx, s.fs) }()
	defer func() { cancel(); <-done }()
	// The listener skips its first snapshot, which may include a message
	// written while it starts; write markers until one is pushed (the
	// interval is a retry pace, not an assertion).
	var msg string
	deadline := time.Now().Add(30 * time.Second)
	for msg == "" {
		m := s.send("carol", room)
		ch := s.fcm.Wait()
		if len(s.pushesFor(m)) == 0 {
			select {
			case <-ch:
			case <-time.After(100 * time.Millisecond):
			}
		}
		if len(s.pushesFor(m)) > 0 {
			msg = m
		} else if time.Now().After(deadline) {
			t.Fatal("the listener never pushed a new message")
		}
	}
	got := s.waitPushes(msg, 2)
	if toks := tokensOf(got); toks[tokAlice] != 1 || toks[tokBob] != 1 || len(toks) != 2 {
		t.Errorf("pushes %v", toks)
	}
	if n := len(s.pushesFor(old)); n != 0 {
		t.Errorf("a message older than the listener was pushed %d times", n)
	}
	s.assertNoSecret("carol")
}

// TestEventsEndpointEdges: events it does not act on are acknowledged
// without pushing; malformed bodies are refused.
func TestEventsEndpointEdges(t *testing.T) {
	s, room := fixture(t)
	post := func(typ, ctype, name string, body []byte) int {
		req, _ := http.NewRequest("POST", s.srv.URL+"/events/firestore", strings.NewReader(string(body)))
		eventarc.SetHeaders(req.Header, typ, "x", name, time.Now())
		req.Header.Set("Content-Type", ctype)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	base := "projects/" + s.emu.ProjectID + "/databases/(default)/documents/"
	cases := []struct {
		name, typ, ctype, doc string
		body                  string
		want                  int
	}{
		{"updated event", eventarc.TypeUpdated, "application/json", base + "rooms/" + room + "/messages/m1", `{"value":{"name":"` + base + "rooms/" + room + `/messages/m1"}}`, 204},
		{"not a message", eventarc.TypeCreated, "application/json", base + "users/bob", `{"value":{"name":"` + base + `users/bob"}}`, 204},
		{"another project", eventarc.TypeCreated, "application/json", "", `{"value":{"name":"projects/other/databases/(default)/documents/rooms/` + room + `/messages/m1"}}`, 204},
		{"bad json", eventarc.TypeCreated, "application/json", "", `{`, 400},
		{"bad protobuf", eventarc.TypeCreated, "application/protobuf", "", "\xff\xff\xff", 400},
		{"unknown content type", eventarc.TypeCreated, "text/plain", "", "x", 400},
		{"message that does not exist", eventarc.TypeCreated, "application/json", "", `{"value":{"name":"` + base + "rooms/" + room + `/messages/nope"}}`, 200},
	}
	for _, c := range cases {
		if got := post(c.typ, c.ctype, c.doc, []byte(c.body)); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
	if n := len(s.fcm.Messages()); n != 0 {
		t.Errorf("%d pushes sent", n)
	}
}
