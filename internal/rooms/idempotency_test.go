package rooms_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/roomgate/roomgate/internal/rooms"
)

// TestReplayReturnsTheRememberedOutcome: a replay is the outcome the first
// request got, not the room as it is now, so rendering it gives the first
// response again, even after the room changed.
func TestReplayReturnsTheRememberedOutcome(t *testing.T) {
	e := start(t)
	e.users(t, "alice", "bob", "carol")
	ctx := context.Background()
	idem := &rooms.Idempotency{DocID: "outcome", BodyHash: "h", TTL: time.Hour}
	req := rooms.CreateRequest{Title: "Plans é 😀", Members: []string{"bob"}}
	first, err := create(ctx, e.svc, actor("alice"), req, idem)
	if err != nil || !first.Created || first.Replayed {
		t.Fatalf("first: %+v %v", first, err)
	}
	if _, _, err := addMembers(ctx, e.svc, actor("alice"), first.Room.ID, []string{"carol"}); err != nil {
		t.Fatal(err)
	}
	again, err := create(ctx, e.svc, actor("alice"), req, idem)
	if err != nil || !again.Replayed || again.Replay != nil {
		t.Fatalf("replay: %+v %v", again, err)
	}
	again.Replayed = false
	if !reflect.DeepEqual(again, first) {
		t.Fatalf("replayed outcome differs:\nfirst  %+v\nreplay %+v", first, again)
	}

	// An existing direct room is remembered as found, not created.
	direct := rooms.CreateRequest{Kind: rooms.KindDirect, Members: []string{"carol"}}
	if _, err := create(ctx, e.svc, actor("alice"), direct, nil); err != nil {
		t.Fatal(err)
	}
	didem := &rooms.Idempotency{DocID: "direct", BodyHash: "d", TTL: time.Hour}
	found, err := create(ctx, e.svc, actor("alice"), direct, didem)
	if err != nil || found.Created {
		t.Fatalf("found: %+v %v", found, err)
	}
	replayed, err := create(ctx, e.svc, actor("alice"), direct, didem)
	if err != nil || !replayed.Replayed || replayed.Created || replayed.Room.ID != found.Room.ID {
		t.Fatalf("direct replay: %+v %v", replayed, err)
	}
}

// TestReplayOfARecordWithARenderedResponse: a record holding a rendered
// response (written by an earlier version) is replayed verbatim, and a
// record with neither that nor an outcome is an error, never a fresh
// create (which could make a second room for one key).
func TestReplayOfARecordWithARenderedResponse(t *testing.T) {
	e := start(t)
	e.users(t, "alice")
	ctx := context.Background()
	now := time.Now()
	records := e.fs.Collection(rooms.IdempotencyCollection)
	if _, err := records.Doc("legacy").Set(ctx, map[string]any{
		"bodyHash": "h", "status": 201, "body": `{"id":"remembered"}`, "createdAt": now, "expiresAt": now.Add(time.Hour),
	}); err != nil {
		t.Fatal(err)
	}
	res, err := create(ctx, e.svc, actor("alice"), rooms.CreateRequest{}, &rooms.Idempotency{DocID: "legacy", BodyHash: "h", TTL: time.Hour})
	if err != nil || res.Replay == nil || res.Replay.Status != 201 || string(res.Replay.Body) != `{"id":"remembered"}` {
		t.Fatalf("legacy replay: %+v %v", res, err)
	}
	if _, err := records.Doc("empty").Set(ctx, map[string]any{
		"bodyHash": "h", "createdAt": now, "expiresAt": now.Add(time.Hour),
	}); err != nil {
		t.Fatal(err)
	}
	res, err = create(ctx, e.svc, actor("alice"), rooms.CreateRequest{}, &rooms.Idempotency{DocID: "empty", BodyHash: "h", TTL: time.Hour})
	if err == nil || errors.Is(err, rooms.ErrIdempotencyMismatch) {
		t.Fatalf("a record without an outcome: %+v %v", res, err)
	}
	if n := e.count(t, e.fs.Collection("users").Doc("alice").Collection("rooms").Query); n != 0 {
		t.Fatalf("alice is in %d rooms, want 0", n)
	}
}

// TestReplayComesBeforeTheMemberLookup: a retry of a create is answered
// from the idempotency record before the members are looked up in Auth,
// so a member deleted or banned since the first request does not turn the
// retry into a refusal; and the same key with another body is
// ErrIdempotencyMismatch even when that body names unavailable members.
func TestReplayComesBeforeTheMemberLookup(t *testing.T) {
	e := start(t)
	e.users(t, "alice", "bob")
	ctx := context.Background()
	idem := &rooms.Idempotency{DocID: "retry", BodyHash: "first", TTL: time.Hour}
	req := rooms.CreateRequest{Title: "retry", Members: []string{"bob"}}
	first, err := create(ctx, e.svc, actor("alice"), req, idem)
	if err != nil || !first.Created {
		t.Fatalf("first: %+v %v", first, err)
	}
	if err := e.auth.DeleteUser(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	again, err := create(ctx, e.svc, actor("alice"), req, idem)
	if err != nil || !again.Replayed || again.Room.ID != first.Room.ID {
		t.Fatalf("retry after bob was deleted: %+v %v", again, err)
	}
	other := &rooms.Idempotency{DocID: "retry", BodyHash: "second", TTL: time.Hour}
	_, err = create(ctx, e.svc, actor("alice"), rooms.CreateRequest{Title: "other", Members: []string{"bob", "ghost"}}, other)
	if !errors.Is(err, rooms.ErrIdempotencyMismatch) {
		t.Fatalf("same key, other body naming unavailable members: %v, want ErrIdempotencyMismatch", err)
	}
}
