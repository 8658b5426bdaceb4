package e2e

import (
	"context"
	"net/http"
	"testing"

	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/roomgate/roomgate/emulator/emutest/emuclient"
)

// TestSlowMode: a room admin turns slow mode on through the API, and from
// then on the shipped rules hold members to it on the direct path: a plain
// message write is refused, a message batched with the sender's posting
// record is accepted, and a second one right after is refused; turning it
// off lets plain writes through again. Members cannot set it.
func TestSlowMode(t *testing.T) {
	s := newSuite(t, nil)
	s.admit("alice", "bob")
	s.run(t, []step{
		{name: "alice creates a room", method: "POST", path: "/v1/rooms", token: "alice", body: `{"members":["bob"],"title":"Team"}`, status: 201, save: "room"},
		{name: "a member cannot set slow mode", method: "PATCH", path: "/v1/rooms/{room}", token: "bob", body: `{"slowModeSeconds":60}`, status: 403},
		{name: "slow mode over an hour is refused", method: "PATCH", path: "/v1/rooms/{room}", token: "alice", body: `{"slowModeSeconds":3601}`, status: 400, contains: []string{`"field":"slowModeSeconds"`}},
		{name: "the owner sets 60 s", method: "PATCH", path: "/v1/rooms/{room}", token: "alice", body: `{"slowModeSeconds":60}`, status: 200},
	})
	ctx := context.Background()
	room := s.fs.Collection("rooms").Doc(s.vars["room"])
	snap, err := room.Get(ctx)
	if err != nil || snap.Data()["slowModeSeconds"] != int64(60) {
		t.Fatalf("room after PATCH: %v %v", snap.Data(), err)
	}
	bob := emuclient.UserClient(t, s.emu.fsAddr, s.emu.project, s.tokens["bob"])
	msgs := bob.Collection("rooms").Doc(s.vars["room"]).Collection("messages")
	posting := bob.Collection("rooms").Doc(s.vars["room"]).Collection("posting").Doc("bob")
	message := func(id string) map[string]any {
		return map[string]any{"senderId": "bob", "text": "hi " + id, "createdAt": firestore.ServerTimestamp}
	}
	if _, err := msgs.Doc("plain").Set(ctx, message("plain")); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("a plain message under slow mode: %v, want PermissionDenied", err)
	}
	post := func(id string) error {
		b := bob.Batch()
		b.Set(msgs.Doc(id), message(id))
		b.Set(posting, map[string]any{"lastPostAt": firestore.ServerTimestamp, "messageId": id})
		_, err := b.Commit(ctx)
		return err
	}
	if err := post("first"); err != nil {
		t.Fatalf("the first message with its posting record: %v", err)
	}
	if err := post("second"); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("a second message within 60 s: %v, want PermissionDenied", err)
	}
	s.run(t, []step{{name: "the owner turns it off", method: "PATCH", path: "/v1/rooms/{room}", token: "alice", body: `{"slowModeSeconds":0}`, status: 200}})
	if _, err := msgs.Doc("plain").Set(ctx, message("plain")); err != nil {
		t.Fatalf("a plain message with slow mode off: %v", err)
	}
	if n := s.count(t, s.fs.Collection("audit").Where("action", "==", "room.slow_mode_changed")); n != 2 {
		t.Fatalf("%d slow-mode audit records, want 2", n)
	}
}

// TestSlowModeSurvivesLeavingAndRejoining: a member holding a multi-use
// invite link posts, leaves, accepts the link again and posts at once:
// the rules refuse the second post, since an ordinary leave keeps the
// posting record (only a ban's or a deletion's ejection, or the room's
// deletion, removes it).
func TestSlowModeSurvivesLeavingAndRejoining(t *testing.T) {
	s := newSuite(t, nil)
	s.admit("alice", "bob", "carol")
	saveToken := func(t *testing.T, s *suite, body string, _ http.Header) {
		var v struct{ Token string }
		mustJSON(t, body, &v)
		s.vars["link"] = v.Token
	}
	s.run(t, []step{
		{name: "alice creates a room", method: "POST", path: "/v1/rooms", token: "alice", body: `{"members":["bob"],"title":"Slow"}`, status: 201, save: "room"},
		{name: "the owner sets an hour", method: "PATCH", path: "/v1/rooms/{room}", token: "alice", body: `{"slowModeSeconds":3600}`, status: 200},
		{name: "the owner mints a five-use link", method: "POST", path: "/v1/rooms/{room}/invites", token: "alice", body: `{"maxUses":5}`, status: 201, check: saveToken},
		{name: "carol joins by the link", method: "POST", path: "/v1/invites/{link}:accept", token: "carol", status: 200, contains: []string{`"joined":true`}},
	})
	ctx := context.Background()
	carol := emuclient.UserClient(t, s.emu.fsAddr, s.emu.project, s.tokens["carol"])
	roomRef := carol.Collection("rooms").Doc(s.vars["room"])
	post := func(id string) error {
		b := carol.Batch()
		b.Set(roomRef.Collection("messages").Doc(id), map[string]any{"senderId": "carol", "text": "hi " + id, "createdAt": firestore.ServerTimestamp})
		b.Set(roomRef.Collection("posting").Doc("carol"), map[string]any{"lastPostAt": firestore.ServerTimestamp, "messageId": id})
		_, err := b.Commit(ctx)
		return err
	}
	if err := post("first"); err != nil {
		t.Fatalf("carol's first message: %v", err)
	}
	s.run(t, []step{
		{name: "carol leaves", method: "DELETE", path: "/v1/rooms/{room}/members/carol", token: "carol", status: 200, contains: []string{`"roomDeleted":false`}},
		{name: "carol joins again by the link", method: "POST", path: "/v1/invites/{link}:accept", token: "carol", status: 200, contains: []string{`"joined":true`}},
	})
	if err := post("second"); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("a message right after leaving and rejoining, within the hour: %v, want PermissionDenied", err)
	}
	if n := s.count(t, s.fs.Collection("rooms").Doc(s.vars["room"]).Collection("messages").Query); n != 1 {
		t.Fatalf("%d messages in the room, want 1", n)
	}
}
