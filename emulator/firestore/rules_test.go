package firestore

import (
	"context"
	"strings"
	"sync"
	"testing"

	"cloud.google.com/go/firestore"
	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// A small chat ruleset exercising get/exists/getAfter and request.time.
const chatRules = `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    function isMember(room) {
      return exists(/databases/$(database)/documents/rooms/$(room)/members/$(request.auth.uid));
    }
    match /rooms/{room} {
      allow read: if isMember(room);
      allow create: if request.auth != null
        && request.resource.data.owner == request.auth.uid
        && getAfter(/databases/$(database)/documents/rooms/$(room)/members/$(request.auth.uid)).data.role == 'owner';
      match /members/{uid} {
        allow read: if request.auth.uid == uid;
        allow create: if request.auth.uid == uid
          && getAfter(/databases/$(database)/documents/rooms/$(room)).data.owner == uid;
      }
      match /messages/{msg} {
        allow read: if isMember(room);
        allow create: if isMember(room)
          && request.resource.data.senderId == request.auth.uid
          && request.resource.data.createdAt == request.time;
      }
    }
  }
}`

func TestRulesEnforcedForUsers(t *testing.T) {
	srv := newTestServer(t)
	loadRules(t, srv, chatRules)
	ctx := context.Background()
	admin := adminClient(t, srv)
	alice := userClient(t, srv, "alice", nil)
	bob := userClient(t, srv, "bob", nil)
	anon := dial(t, srv, "")

	// A batch creating the room and its owner member together passes only
	// because getAfter sees the whole batch.
	b := alice.Batch()
	b.Create(alice.Doc("rooms/r1"), map[string]any{"owner": "alice"})
	b.Create(alice.Doc("rooms/r1/members/alice"), map[string]any{"role": "owner"})
	if _, err := b.Commit(ctx); err != nil {
		t.Fatalf("alice creates room with member in one batch: %v", err)
	}
	// The room alone is denied: getAfter finds no member doc.
	_, err := alice.Doc("rooms/r2").Create(ctx, map[string]any{"owner": "alice"})
	assertDenied(t, err, "room without member")
	if _, err := admin.Doc("rooms/r2").Get(ctx); status.Code(err) != codes.NotFound {
		t.Errorf("denied create was stored: %v", err)
	}

	// A caller the rules deny learns nothing about existence: denied,
	// not ALREADY_EXISTS.
	_, err = bob.Doc("rooms/r1").Create(ctx, map[string]any{"owner": "bob"})
	assertDenied(t, err, "create over an existing room by a stranger")
	_, err = bob.Doc("rooms/r1").Update(ctx, []firestore.Update{{Path: "owner", Value: "bob"}})
	assertDenied(t, err, "update by a stranger")

	// Reads: members may, others may not.
	if _, err := alice.Doc("rooms/r1").Get(ctx); err != nil {
		t.Errorf("member read: %v", err)
	}
	_, err = bob.Doc("rooms/r1").Get(ctx)
	assertDenied(t, err, "non-member read")
	// Google's emulator style: "\nfalse for 'get' @ L8".
	if msg := status.Convert(err).Message(); !strings.HasPrefix(msg, "\n") || !strings.Contains(msg, "'get' @ L8") {
		t.Errorf("denial message %q, want the emulator's \\nfalse for 'get' @ L8 style", msg)
	}
	_, err = anon.Doc("rooms/r1").Get(ctx)
	assertDenied(t, err, "anonymous read")
	// Admin bypasses rules.
	if _, err := admin.Doc("rooms/r1").Get(ctx); err != nil {
		t.Errorf("admin read: %v", err)
	}

	// Server timestamps equal request.time.
	if _, err := alice.Collection("rooms/r1/messages").NewDoc().Create(ctx, map[string]any{"senderId": "alice", "createdAt": firestore.ServerTimestamp}); err != nil {
		t.Errorf("message with server timestamp: %v", err)
	}
	_, err = alice.Collection("rooms/r1/messages").NewDoc().Create(ctx, map[string]any{"senderId": "bob", "createdAt": firestore.ServerTimestamp})
	assertDenied(t, err, "forged senderId")

	// Reads inside a transaction are decided too.
	err = bob.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		_, err := tx.Get(bob.Doc("rooms/r1"))
		return err
	})
	assertDenied(t, err, "non-member read in transaction")
}

func assertDenied(t *testing.T, err error, what string) {
	t.Helper()
	if status.Code(err) != codes.PermissionDenied {
		t.Errorf("%s: %v, want PermissionDenied", what, err)
		return
	}
	if status.Convert(err).Message() == "" {
		t.Errorf("%s: denial without a reason", what)
	}
}

func TestNoRulesAllowsAndWarnsOnce(t *testing.T) {
	if external() {
		t.Skip("reads this server's log")
	}
	srv := newTestServer(t)
	var mu sync.Mutex
	var logs []string
	srv.SetLogger(func(f string, args ...any) { mu.Lock(); logs = append(logs, f); mu.Unlock() })
	ctx := context.Background()
	u := userClient(t, srv, "alice", nil)
	if _, err := u.Doc("any/doc").Set(ctx, map[string]any{"v": 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Doc("any/doc").Get(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	n := 0
	for _, l := range logs {
		if strings.Contains(l, "NO SECURITY RULES LOADED") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("warned %d times, want once: %q", n, logs)
	}
}

func TestBadAuthorizationIsRejected(t *testing.T) {
	srv := newTestServer(t)
	rc := rawClient(t, srv, "not-a-jwt")
	_, err := rc.GetDocument(context.Background(), &firestorepb.GetDocumentRequest{Name: testDB + "/documents/c/d"})
	// Google's emulator: INVALID_ARGUMENT "invalid jwt".
	if status.Code(err) != codes.InvalidArgument || !strings.HasPrefix(status.Convert(err).Message(), "invalid jwt") {
		t.Errorf("garbled token: %v, want InvalidArgument: invalid jwt", err)
	}
}

func TestDecodeJWTClaims(t *testing.T) {
	a, why := decodeJWT(unsignedJWT("u1", map[string]any{"chat": true, "level": 3, "ratio": 0.5}))
	if a == nil {
		t.Fatal(why)
	}
	if a.UID != "u1" || a.Token["chat"] != true || a.Token["level"] != int64(3) || a.Token["ratio"] != 0.5 {
		t.Errorf("auth = %+v", a)
	}
	if fb, _ := a.Token["firebase"].(map[string]any); fb["sign_in_provider"] != "custom" {
		t.Errorf("nested claims: %v", a.Token["firebase"])
	}
	// user_id is the fallback when sub is missing.
	tok := unsignedJWT("", map[string]any{"sub": "", "user_id": "u2"})
	if a, _ := decodeJWT(tok); a == nil || a.UID != "u2" {
		t.Errorf("user_id fallback: %+v", a)
	}
	if a, _ := decodeJWT(unsignedJWT("", map[string]any{"sub": "", "user_id": ""})); a != nil {
		t.Errorf("token without uid accepted: %+v", a)
	}
}

// A denied batch on the JS Write stream ends the stream with
// PERMISSION_DENIED and stores nothing.
func TestWriteStreamUnderRules(t *testing.T) {
	srv := newTestServer(t)
	loadRules(t, srv, chatRules)
	rc := rawClient(t, srv, unsignedJWT("mallory", nil))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := rc.Write(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.Send(&firestorepb.WriteRequest{Database: testDB})
	hs, err := st.Recv()
	if err != nil {
		t.Fatal(err)
	}
	name := testDB + "/documents/rooms/r9"
	st.Send(&firestorepb.WriteRequest{StreamToken: hs.StreamToken, Writes: []*firestorepb.Write{{
		Operation: &firestorepb.Write_Update{Update: &firestorepb.Document{Name: name, Fields: map[string]*firestorepb.Value{"owner": {ValueType: &firestorepb.Value_StringValue{StringValue: "mallory"}}}}}}}})
	_, err = st.Recv()
	assertDenied(t, err, "room create without member on the Write stream")
	if _, err := adminClient(t, srv).Doc("rooms/r9").Get(context.Background()); status.Code(err) != codes.NotFound {
		t.Errorf("denied write was stored: %v", err)
	}
}

func TestSetRulesIsTheDefaultRuleset(t *testing.T) {
	if external() {
		t.Skip("uses the Go API")
	}
	srv := newTestServer(t)
	if err := srv.SetRules("service cloud.firestore { match /x { allow read: if ( } }"); err == nil {
		t.Fatal("SetRules accepted a syntax error")
	}
	if err := srv.SetRules("rules_version = '2';\nservice cloud.firestore {\n  match /databases/{db}/documents {\n    match /{d=**} { allow read: if request.auth.uid == 'alice'; }\n  }\n}"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	adminClient(t, srv).Doc("c/d").Set(ctx, map[string]any{"v": 1})
	if _, err := userClient(t, srv, "alice", nil).Doc("c/d").Get(ctx); err != nil {
		t.Errorf("alice: %v", err)
	}
	_, err := userClient(t, srv, "bob", nil).Doc("c/d").Get(ctx)
	assertDenied(t, err, "bob read")
	_, err = userClient(t, srv, "alice", nil).Doc("c/d").Set(ctx, map[string]any{"v": 2})
	assertDenied(t, err, "write with no allow")
}

// Denial messages read as Google's emulator's: "\nfalse for '<method>' @
// L<line>" naming the allow statement, "No matching allow statements"
// when none applies, and no mention of which write of a batch failed.
func TestDenialMessages(t *testing.T) {
	srv := newTestServer(t)
	loadRules(t, srv, "rules_version = '2';\nservice cloud.firestore {\n  match /databases/{db}/documents {\n    match /open/{d} {\n      allow read: if request.auth.uid == 'alice';\n    }\n    match /only/{d} {\n      allow create: if request.resource.data.n > 1;\n    }\n  }\n}")
	ctx := context.Background()
	bob := rawClient(t, srv, unsignedJWT("bob", nil))
	msg := func(err error) string {
		if status.Code(err) != codes.PermissionDenied {
			t.Fatalf("%v, want PermissionDenied", err)
		}
		return status.Convert(err).Message()
	}
	_, err := bob.GetDocument(ctx, &firestorepb.GetDocumentRequest{Name: testDB + "/documents/open/x"})
	if m := msg(err); m != "\nfalse for 'get' @ L5" {
		t.Errorf("false condition: %q", m)
	}
	_, err = bob.GetDocument(ctx, &firestorepb.GetDocumentRequest{Name: testDB + "/documents/nomatch/x"})
	if m := msg(err); m != "No matching allow statements" {
		t.Errorf("no matching allow: %q", m)
	}
	_, err = bob.Commit(ctx, &firestorepb.CommitRequest{Database: testDB, Writes: []*firestorepb.Write{setW("only/a", "n", vInt(2)), setW("only/b", "n", vInt(0))}})
	// Google's emulator repeats the clause ("…@ L8, false for 'create' @
	// L8"); ours names it once. Both start the same way and name no write.
	if m := msg(err); !strings.HasPrefix(m, "\nfalse for 'create' @ L8") || strings.Contains(m, "only/") {
		t.Errorf("batch: %q", m)
	}
	_, err = bob.ListDocuments(ctx, &firestorepb.ListDocumentsRequest{Parent: testDB + "/documents", CollectionId: "nomatch"})
	if m := msg(err); m != "No matching allow statements" {
		t.Errorf("list with no matching allow: %q", m)
	}
}
