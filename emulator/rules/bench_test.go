package rules

import (
	"os"
	"testing"
	"time"
)

// The decision benchmarks run roomgate's shipped rules (../../firestore.rules,
// read at run time so they measure what production clients meet) against
// requests shaped exactly as roomgate's clients send them.

// benchAuth is a realistic decoded ID token of an admitted user, as the
// emulator builds it from a Firebase Auth emulator token (integral JSON
// numbers as int64).
func benchAuth() *Auth {
	return &Auth{UID: "alice", Token: map[string]any{
		"sub": "alice", "user_id": "alice", "aud": "demo-roomgate",
		"iss":   "https://securetoken.google.com/demo-roomgate",
		"email": "alice@example.com", "email_verified": true, "chat": true,
		"auth_time": int64(1735787045), "iat": int64(1735787045), "exp": int64(1735790645),
		"firebase": map[string]any{
			"sign_in_provider": "password",
			"identities":       map[string]any{"email": []any{"alice@example.com"}},
		},
	}}
}

// benchSetup compiles the shipped rules and returns a database view in
// which alice is a member of room r1 (a room without slow mode) and has
// her users/{uid} document (which the rules read on message writes).
func benchSetup(b *testing.B) (*Ruleset, decideDocs) {
	src, err := os.ReadFile("../../firestore.rules")
	if err != nil {
		b.Fatal(err)
	}
	rs, err := Compile("firestore.rules", src)
	if err != nil {
		b.Fatal(err)
	}
	room := "/databases/(default)/documents/rooms/r1"
	member := room + "/members/alice"
	user := "/databases/(default)/documents/users/alice"
	return rs, decideDocs{
		room:   {Path: room, Data: map[string]any{"title": "Team", "kind": "group", "memberCount": int64(2)}},
		member: {Path: member, Data: map[string]any{"role": "member"}},
		user:   {Path: user, Data: map[string]any{"claimsVersion": int64(1), "chat": true, "role": "", "banned": false}},
	}
}

// BenchmarkDecideMessageCreate decides a chat message create as the web
// client sends it: senderId, text and createdAt (serverTimestamp(), so
// equal to request.time), by a member holding the chat claim. The rule
// makes three document accesses: exists() of the member document, get()
// of users/{uid} (the ban as recorded) and get() of the room (to see that
// slow mode is off).
func BenchmarkDecideMessageCreate(b *testing.B) {
	rs, docs := benchSetup(b)
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	path := "/databases/(default)/documents/rooms/r1/messages/m1"
	req := &Request{
		Method: MethodCreate, Path: path, Auth: benchAuth(), Time: now, Before: docs,
		Incoming: &Document{Path: path, Data: map[string]any{"senderId": "alice", "text": "hello, room", "createdAt": now}},
	}
	if d := rs.Decide(req); !d.Allowed || d.AccessCalls != 3 {
		b.Fatalf("decision: %+v", d)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rs.Decide(req)
	}
}

// BenchmarkDecideListMembership decides the client's message listener
// query (newest 50 messages of a room) by a member.
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
