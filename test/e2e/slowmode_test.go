package e2e

import (
	"context"
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
