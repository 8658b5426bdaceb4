package rules

import (
	"testing"
	"time"
)

// benchRules is the messages part of roomgate's shipped rules
// (firestore.rules, DESIGN.md "Rules contract"): membership by one
// exists() on the member document, exact message shape on create.
const benchRules = `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    function signedIn() { return request.auth != null; }
    function notBanned() { return request.auth.token.get('banned', false) != true; }
    function admitted() {
      return signedIn() && request.auth.token.get('chat', false) == true && notBanned();
    }
    function isMember(roomId) {
      return exists(/databases/$(database)/documents/rooms/$(roomId)/members/$(request.auth.uid));
    }
    function inRoom(roomId) { return admitted() && isMember(roomId); }
    function validText(text) { return text is string && text.size() >= 1 && text.size() <= 4000; }
    function validNewMessage() {
      let msg = request.resource.data;
      return msg.keys().hasAll(['senderId', 'text', 'createdAt'])
        && msg.keys().hasOnly(['senderId', 'text', 'createdAt'])
        && msg.senderId == request.auth.uid
        && validText(msg.text)
        && msg.createdAt == request.time;
    }
    match /rooms/{roomId} {
      allow get: if inRoom(roomId);
      match /members/{memberId} {
        allow get, list: if inRoom(roomId);
      }
      match /messages/{messageId} {
        allow get, list: if inRoom(roomId);
        allow create: if inRoom(roomId) && validNewMessage();
      }
    }
    match /users/{uid} {
      allow get: if signedIn() && notBanned() && request.auth.uid == uid;
    }
  }
}`

// benchAuth is a realistic decoded ID token of an admitted user.
func benchAuth() *Auth {
	return &Auth{UID: "alice", Token: map[string]any{
		"sub": "alice", "aud": "demo-roomgate", "iss": "https://securetoken.google.com/demo-roomgate",
		"email": "alice@example.com", "email_verified": true, "chat": true,
		"auth_time": int64(1735787045), "iat": int64(1735787045), "exp": int64(1735790645),
		"firebase": map[string]any{
			"sign_in_provider": "password",
			"identities":       map[string]any{"email": []any{"alice@example.com"}},
		},
	}}
}

func benchSetup(b *testing.B) (*Ruleset, decideDocs) {
	rs, err := Compile("bench.rules", []byte(benchRules))
	if err != nil {
		b.Fatal(err)
	}
	member := "/databases/(default)/documents/rooms/r1/members/alice"
	return rs, decideDocs{member: {Path: member, Data: map[string]any{"role": "member"}}}
}

func BenchmarkDecideMessageCreate(b *testing.B) {
	rs, docs := benchSetup(b)
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	path := "/databases/(default)/documents/rooms/r1/messages/m1"
	req := &Request{
		Method: MethodCreate, Path: path, Auth: benchAuth(), Time: now, Before: docs,
		Incoming: &Document{Path: path, Data: map[string]any{"senderId": "alice", "text": "hello, room", "createdAt": now}},
	}
	if d := rs.Decide(req); !d.Allowed || d.AccessCalls != 1 {
		b.Fatalf("decision: %+v", d)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rs.Decide(req)
	}
}

func BenchmarkDecideListMembership(b *testing.B) {
	rs, docs := benchSetup(b)
	limit := int64(50)
	q := &Query{
		Parent: "/databases/(default)/documents/rooms/r1", CollectionID: "messages",
		OrderBy: []Order{{Field: "createdAt", Descending: true}}, Limit: &limit,
		Auth: benchAuth(), Time: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Before: docs,
	}
	if d := rs.DecideQuery(q); !d.Allowed || d.AccessCalls != 1 {
		b.Fatalf("decision: %+v", d)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rs.DecideQuery(q)
	}
}
