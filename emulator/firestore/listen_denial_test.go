package firestore

import (
	"context"
	"slices"
	"testing"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
)

// ServerOptions.ListenDenial: a listener whose access is gone is removed
// at once (default) or at its next delivery (Google's emulator).

const denialRules = `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /rooms/{room}/messages/{msg} {
      allow read: if exists(/databases/$(database)/documents/rooms/$(room)/members/$(request.auth.uid));
    }
    match /public/{d} {
      allow read: if true;
    }
  }
}`

// readUntil reads messages until one described as want and returns the
// descriptions read before it.
func (w *wireListen) readUntil(want string) []string {
	w.t.Helper()
	var before []string
	for {
		d := describe(w.next())
		if d == want {
			return before
		}
		before = append(before, d)
	}
}

// denialSetup starts a server with opts, and alice, a room member, with
// target 1 on the room's messages and target 2 on public/p.
func denialSetup(t *testing.T, opts ServerOptions) (*Server, *wireListen) {
	t.Helper()
	if external() {
		t.Skip("starts its own server with options")
	}
	srv, err := NewServerWithOptions("127.0.0.1:0", opts)
	if err != nil {
		t.Fatal(err)
	}
	srv.SetLogger(t.Logf)
	t.Cleanup(func() { srv.Close() })
	if err := srv.SetRules(denialRules); err != nil {
		t.Fatal(err)
	}
	admin := adminClient(t, srv)
	ctx := context.Background()
	for path, data := range map[string]map[string]any{
		"rooms/r/members/alice": {"role": "member"}, "rooms/r/messages/m1": {"text": "hi"}, "public/p": {"v": 1},
	} {
		if _, err := admin.Doc(path).Set(ctx, data); err != nil {
			t.Fatal(err)
		}
	}
	w := openListen(t, srv, unsignedJWT("alice", nil))
	w.add(queryTarget(1, "rooms/r", &firestorepb.StructuredQuery{From: []*firestorepb.StructuredQuery_CollectionSelector{{CollectionId: "messages"}}}))
	w.readUntil("CURRENT[1]")
	w.add(docsTarget(2, "public/p"))
	w.readUntil("CURRENT[2]")
	return srv, w
}

func TestListenDenialImmediate(t *testing.T) {
	srv, w := denialSetup(t, ServerOptions{})
	admin := adminClient(t, srv)
	ctx := context.Background()
	if _, err := admin.Doc("rooms/r/members/alice").Delete(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Doc("public/p").Set(ctx, map[string]any{"v": 2}); err != nil {
		t.Fatal(err)
	}
	if before := w.readUntil("change[2]:public/p"); !slices.Contains(before, "REMOVE[1]:PermissionDenied") {
		t.Fatalf("target 1 not removed when the membership was deleted: %v", before)
	}
	if _, err := admin.Doc("rooms/r/messages/m2").Set(ctx, map[string]any{"text": "secret"}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Doc("public/p").Set(ctx, map[string]any{"v": 3}); err != nil {
		t.Fatal(err)
	}
	if before := w.readUntil("change[2]:public/p"); slices.Contains(before, "change[1]:rooms/r/messages/m2") {
		t.Fatalf("removed target got a message: %v", before)
	}
}

func TestListenDenialAtNextDelivery(t *testing.T) {
	srv, w := denialSetup(t, ServerOptions{ListenDenial: ListenDenyAtNextDelivery})
	admin := adminClient(t, srv)
	ctx := context.Background()
	if _, err := admin.Doc("rooms/r/members/alice").Delete(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Doc("public/p").Set(ctx, map[string]any{"v": 2}); err != nil {
		t.Fatal(err)
	}
	if before := w.readUntil("change[2]:public/p"); slices.Contains(before, "REMOVE[1]:PermissionDenied") {
		t.Fatalf("target 1 removed before it had anything to deliver: %v", before)
	}
	if _, err := admin.Doc("rooms/r/messages/m2").Set(ctx, map[string]any{"text": "secret"}); err != nil {
		t.Fatal(err)
	}
	if before := w.readUntil("REMOVE[1]:PermissionDenied"); slices.Contains(before, "change[1]:rooms/r/messages/m2") {
		t.Fatalf("the message that triggered the decision was delivered: %v", before)
	}
	// Re-added, alice's new target gets the next message.
	if _, err := admin.Doc("rooms/r/members/alice").Set(ctx, map[string]any{"role": "member"}); err != nil {
		t.Fatal(err)
	}
	w.add(queryTarget(3, "rooms/r", &firestorepb.StructuredQuery{From: []*firestorepb.StructuredQuery_CollectionSelector{{CollectionId: "messages"}}}))
	w.readUntil("CURRENT[3]")
	if _, err := admin.Doc("rooms/r/messages/m3").Set(ctx, map[string]any{"text": "welcome back"}); err != nil {
		t.Fatal(err)
	}
	w.readUntil("change[3]:rooms/r/messages/m3")
}

func TestNewServerWithOptionsRejectsUnknownDenial(t *testing.T) {
	if srv, err := NewServerWithOptions("127.0.0.1:0", ServerOptions{ListenDenial: 7}); err == nil {
		srv.Close()
		t.Fatal("ListenDenial 7 accepted")
	}
}
