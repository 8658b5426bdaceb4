package e2e

import (
	"context"
	"net/http"
	"testing"

	"firebase.google.com/go/v4/auth"

	"github.com/roomgate/roomgate/internal/app"
)

// TestRoomRolesAndTitles: the owner promotes and demotes room admins,
// room admins add and remove plain members and rename the room, and
// ownership passes by transfer.
func TestRoomRolesAndTitles(t *testing.T) {
	s := newSuite(t, nil)
	s.admit("alice", "bob", "carol", "dave", "eve")
	s.run(t, []step{
		{name: "alice creates a room", method: "POST", path: "/v1/rooms", token: "alice", body: `{"members":["bob","carol","dave"],"title":"Team"}`, status: 201, save: "room"},
		{name: "a member cannot promote", method: "PUT", path: "/v1/rooms/{room}/members/bob", token: "bob", body: `{"role":"admin"}`, status: 403, contains: []string{`"code":"room_role_required"`}},
		{name: "a non-member hears not found", method: "PUT", path: "/v1/rooms/{room}/members/bob", token: "eve", body: `{"role":"admin"}`, status: 404, contains: []string{`"code":"room_not_found"`}},
		{name: "the owner promotes bob", method: "PUT", path: "/v1/rooms/{room}/members/bob", token: "alice", body: `{"role":"admin"}`, status: 200, contains: []string{`{"uid":"bob","role":"admin"`}},
		{name: "bob's index shows the role", method: "GET", path: "/v1/rooms", token: "bob", status: 200, contains: []string{`"role":"admin"`}},
		{name: "a room admin adds eve", method: "POST", path: "/v1/rooms/{room}/members", token: "bob", body: `{"members":["eve"]}`, status: 200, contains: []string{`"memberCount":5`}},
		{name: "a room admin removes a plain member", method: "DELETE", path: "/v1/rooms/{room}/members/dave", token: "bob", status: 200},
		{name: "a room admin cannot remove the owner", method: "DELETE", path: "/v1/rooms/{room}/members/alice", token: "bob", status: 403},
		{name: "a room admin cannot change roles", method: "PUT", path: "/v1/rooms/{room}/members/carol", token: "bob", body: `{"role":"admin"}`, status: 403},
		{name: "a room admin renames", method: "PATCH", path: "/v1/rooms/{room}", token: "bob", body: `{"title":"Team B"}`, status: 200, contains: []string{`"title":"Team B"`}},
		{name: "a member cannot rename", method: "PATCH", path: "/v1/rooms/{room}", token: "carol", body: `{"title":"Mine"}`, status: 403},
		{name: "members' indexes follow the title", method: "GET", path: "/v1/rooms", token: "carol", status: 200, contains: []string{`"title":"Team B"`}},
		{name: "a role for a non-member is 404 member_not_found", method: "PUT", path: "/v1/rooms/{room}/members/dave", token: "alice", body: `{"role":"admin"}`, status: 404, contains: []string{`"code":"member_not_found"`}},
		{name: "the owner cannot demote themselves", method: "PUT", path: "/v1/rooms/{room}/members/alice", token: "alice", body: `{"role":"member"}`, status: 400, contains: []string{`"field":"role"`}},
		{name: "the owner transfers ownership to carol", method: "PUT", path: "/v1/rooms/{room}/members/carol", token: "alice", body: `{"role":"owner"}`, status: 200,
			contains: []string{`{"uid":"carol","role":"owner"`, `{"uid":"alice","role":"admin"`}},
		{name: "carol's index says owner", method: "GET", path: "/v1/rooms", token: "carol", status: 200, contains: []string{`"role":"owner"`}},
		{name: "alice, now admin, cannot transfer again", method: "PUT", path: "/v1/rooms/{room}/members/bob", token: "alice", body: `{"role":"owner"}`, status: 403},
		{name: "alice cannot delete the room any more", method: "DELETE", path: "/v1/rooms/{room}", token: "alice", status: 403},
		{name: "carol demotes bob", method: "PUT", path: "/v1/rooms/{room}/members/bob", token: "carol", body: `{"role":"member"}`, status: 200, contains: []string{`{"uid":"bob","role":"member"`}},
		{name: "bob can no longer add", method: "POST", path: "/v1/rooms/{room}/members", token: "bob", body: `{"members":["dave"]}`, status: 403},

		{name: "a direct room", method: "POST", path: "/v1/rooms", token: "alice", body: `{"kind":"direct","members":["bob"]}`, status: 201, save: "dm"},
		{name: "direct rooms have fixed roles", method: "PUT", path: "/v1/rooms/{dm}/members/bob", token: "alice", body: `{"role":"owner"}`, status: 409, contains: []string{`"code":"direct_room_fixed"`}},
		{name: "direct rooms are not renamed", method: "PATCH", path: "/v1/rooms/{dm}", token: "alice", body: `{"title":"us"}`, status: 409},
	})
	if n := s.count(t, s.fs.Collection("audit").Where("action", "in", []any{"room.role_changed", "room.owner_changed", "room.title_changed"})); n != 4 {
		t.Fatalf("%d role/owner/title audit records, want 4", n)
	}
}

// TestBlocks: a block stops direct rooms, adds and invite acceptances
// between the two users, in both directions, answering as for a missing
// user; unblocking lifts it.
func TestBlocks(t *testing.T) {
	s := newSuite(t, nil)
	s.admit("alice", "bob", "carol")
	var tok string
	s.run(t, []step{
		{name: "alice blocks bob", method: "PUT", path: "/v1/me/blocks/bob", token: "alice", status: 204},
		{name: "blocking twice is fine", method: "PUT", path: "/v1/me/blocks/bob", token: "alice", status: 204},
		{name: "nobody can block themselves", method: "PUT", path: "/v1/me/blocks/alice", token: "alice", status: 400},
		{name: "alice lists her blocks", method: "GET", path: "/v1/me/blocks", token: "alice", status: 200, contains: []string{`"uid":"bob"`}},
		{name: "bob's list is his own", method: "GET", path: "/v1/me/blocks", token: "bob", status: 200, contains: []string{`"blocks":[]`}},
		{name: "bob cannot open a direct room with alice", method: "POST", path: "/v1/rooms", token: "bob", body: `{"kind":"direct","members":["alice"]}`, status: 422,
			contains: []string{`"code":"members_unavailable"`, `"uids":["alice"]`}},
		{name: "nor can alice with bob", method: "POST", path: "/v1/rooms", token: "alice", body: `{"kind":"direct","members":["bob"]}`, status: 422},
		{name: "nor a group room with bob in it", method: "POST", path: "/v1/rooms", token: "alice", body: `{"members":["bob","carol"]}`, status: 422, contains: []string{`"uids":["bob"]`}},
		{name: "carol's room", method: "POST", path: "/v1/rooms", token: "carol", body: `{"members":["alice"]}`, status: 201, save: "room"},
		{name: "carol promotes alice", method: "PUT", path: "/v1/rooms/{room}/members/alice", token: "carol", body: `{"role":"admin"}`, status: 200},
		{name: "alice cannot add bob", method: "POST", path: "/v1/rooms/{room}/members", token: "alice", body: `{"members":["bob"]}`, status: 422},
		{name: "alice mints an invite", method: "POST", path: "/v1/rooms/{room}/invites", token: "alice", status: 201,
			check: func(t *testing.T, s *suite, body string, _ http.Header) {
				var v struct{ Token string }
				mustJSON(t, body, &v)
				tok, s.vars["tok"] = v.Token, v.Token
			}},
		{name: "bob cannot accept alice's invite", method: "POST", path: "/v1/invites/{tok}:accept", token: "bob", status: 404, contains: []string{`"code":"invite_invalid"`}},
		{name: "carol (not blocked) adds bob", method: "POST", path: "/v1/rooms/{room}/members", token: "carol", body: `{"members":["bob"]}`, status: 200},
		{name: "alice unblocks bob", method: "DELETE", path: "/v1/me/blocks/bob", token: "alice", status: 204},
		{name: "now bob opens a direct room with alice", method: "POST", path: "/v1/rooms", token: "bob", body: `{"kind":"direct","members":["alice"]}`, status: 201},
	})
	if tok == "" {
		t.Fatal("no token")
	}
}

// TestProfilesAndLookup: profiles are validated and stored server-side;
// lookup finds only discoverable users with verified addresses, and an
// unknown address and an undiscoverable user answer byte for byte alike.
func TestProfilesAndLookup(t *testing.T) {
	s := newSuite(t, nil)
	for _, u := range []struct {
		uid, email string
		verified   bool
	}{{"alice", "alice@example.com", true}, {"bob", "bob@example.com", true}, {"carol", "carol@example.com", true}, {"dave", "dave@example.com", false}} {
		s.user(u.uid, (&auth.UserToCreate{}).Email(u.email).EmailVerified(u.verified))
		if code, body := s.call("POST", "/v1/me/claims", u.uid, "", nil); code != 200 {
			t.Fatalf("admit %s: %d %s", u.uid, code, body)
		}
		s.signIn(u.uid)
	}
	var notFound string
	same := func(t *testing.T, _ *suite, body string, _ http.Header) {
		if notFound == "" {
			notFound = body
		}
		if body != notFound {
			t.Fatalf("lookups answer differently:\n%s\n%s", body, notFound)
		}
	}
	s.run(t, []step{
		{name: "no profile yet", method: "GET", path: "/v1/me/profile", token: "bob", status: 404, contains: []string{`"code":"profile_not_found"`}},
		{name: "bob sets a discoverable profile", method: "PUT", path: "/v1/me/profile", token: "bob", body: `{"displayName":"Bob 🎸","avatarUrl":"https://example.com/b.png","discoverable":true}`, status: 200,
			contains: []string{`"displayName":"Bob 🎸"`, `"discoverable":true`}},
		{name: "carol sets a private profile", method: "PUT", path: "/v1/me/profile", token: "carol", body: `{"displayName":"Carol"}`, status: 200, contains: []string{`"discoverable":false`}},
		{name: "an unverified address cannot be discoverable", method: "PUT", path: "/v1/me/profile", token: "dave", body: `{"displayName":"Dave","discoverable":true}`, status: 403, contains: []string{`"code":"email_not_verified"`}},
		{name: "a bidi-spoofed name is refused", method: "PUT", path: "/v1/me/profile", token: "dave", body: `{"displayName":"Dave\u202Egnp.exe"}`, status: 400},
		{name: "an invisible name is refused", method: "PUT", path: "/v1/me/profile", token: "dave", body: `{"displayName":"\u2800"}`, status: 400},
		{name: "alice finds bob (case-insensitively)", method: "GET", path: "/v1/users:lookup?email=BOB@Example.com", token: "alice", status: 200, contains: []string{`{"uid":"bob"}`}},
		{name: "an unknown address is 404", method: "GET", path: "/v1/users:lookup?email=ghost@example.com", token: "alice", status: 404, contains: []string{`"code":"user_not_found"`}, check: same},
		{name: "carol (not discoverable) is the same 404", method: "GET", path: "/v1/users:lookup?email=carol@example.com", token: "alice", status: 404, check: same},
		{name: "dave (unverified) is the same 404", method: "GET", path: "/v1/users:lookup?email=dave@example.com", token: "alice", status: 404, check: same},
		{name: "a prefix does not match", method: "GET", path: "/v1/users:lookup?email=bob@example.co", token: "alice", status: 404, check: same},
		{name: "bob reads his profile", method: "GET", path: "/v1/me/profile", token: "bob", status: 200, contains: []string{`"discoverable":true`}},
		{name: "bob opts out", method: "PUT", path: "/v1/me/profile", token: "bob", body: `{"displayName":"Bob"}`, status: 200},
		{name: "bob is no longer found", method: "GET", path: "/v1/users:lookup?email=bob@example.com", token: "alice", status: 404, check: same},
	})
	ctx := context.Background()
	if n := s.count(t, s.fs.Collection("userLookup").Query); n != 0 {
		t.Fatalf("%d lookup entries left after opting out", n)
	}
	// The public profile holds the public fields only.
	snap, err := s.fs.Collection("profiles").Doc("bob").Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for k := range snap.Data() {
		if k != "displayName" && k != "avatarUrl" && k != "updatedAt" {
			t.Errorf("profiles/bob has field %q", k)
		}
	}
}

// TestReportsAndAuditLog: members report messages; only moderators and
// admins read reports, only admins the audit log.
func TestReportsAndAuditLog(t *testing.T) {
	s := newSuite(t, nil)
	s.admit("alice", "bob", "eve", "mod")
	s.user("boss", nil)
	ctx := context.Background()
	if _, err := app.GrantRole(ctx, svcConfig(t, s), "boss", "admin", "e2e"); err != nil {
		t.Fatal(err)
	}
	if code, body := s.call("POST", "/v1/me/claims", "boss", "", nil); code != 200 {
		t.Fatalf("boss admit: %d %s", code, body)
	}
	s.signIn("boss")
	s.run(t, []step{
		{name: "boss makes mod a moderator", method: "PUT", path: "/v1/admin/users/mod/role", token: "boss", body: `{"role":"moderator"}`, status: 200,
			check: func(t *testing.T, s *suite, _ string, _ http.Header) { s.signIn("mod") }},
		{name: "a room", method: "POST", path: "/v1/rooms", token: "alice", body: `{"members":["bob"]}`, status: 201, save: "room",
			check: func(t *testing.T, s *suite, _ string, _ http.Header) {
				// bob's message, written as a client would (rules-checked
				// there; here through the admin client).
				_, err := s.fs.Collection("rooms").Doc(s.vars["room"]).Collection("messages").Doc("m1").Set(ctx, map[string]any{"senderId": "bob", "text": "buy cheap pills", "createdAt": firestoreNow()})
				if err != nil {
					t.Fatal(err)
				}
			}},
		{name: "alice reports bob's message", method: "POST", path: "/v1/rooms/{room}/reports", token: "alice", body: `{"messageId":"m1","reason":"spam","note":"again"}`, status: 201},
		{name: "reporting again files nothing new", method: "POST", path: "/v1/rooms/{room}/reports", token: "alice", body: `{"messageId":"m1","reason":"spam"}`, status: 200},
		{name: "a non-member cannot report (404 as for no room)", method: "POST", path: "/v1/rooms/{room}/reports", token: "eve", body: `{"messageId":"m1","reason":"spam"}`, status: 404, contains: []string{`"code":"room_not_found"`}},
		{name: "an unknown message is 404", method: "POST", path: "/v1/rooms/{room}/reports", token: "alice", body: `{"messageId":"m2","reason":"spam"}`, status: 404, contains: []string{`"code":"message_not_found"`}},
		{name: "a user cannot read reports", method: "GET", path: "/v1/admin/reports", token: "bob", status: 403, contains: []string{`"code":"moderator_required"`}},
		{name: "the moderator reads the report with the message text", method: "GET", path: "/v1/admin/reports", token: "mod", status: 200,
			contains: []string{`"reporter":"alice"`, `"senderId":"bob"`, `"text":"buy cheap pills"`, `"reason":"spam"`, `"note":"again"`, `"roomId":"{room}"`}},
		{name: "an admin reads reports too", method: "GET", path: "/v1/admin/reports?limit=1", token: "boss", status: 200, contains: []string{`"reporter":"alice"`}},
		{name: "the moderator cannot read the audit log", method: "GET", path: "/v1/admin/audit", token: "mod", status: 403, contains: []string{`"code":"admin_required"`}},
		{name: "a user cannot read the audit log", method: "GET", path: "/v1/admin/audit", token: "alice", status: 403},
		{name: "the admin reads the audit log", method: "GET", path: "/v1/admin/audit", token: "boss", status: 200,
			contains: []string{`"action":"message.reported"`, `"action":"room.created"`, `"action":"claims.role_set"`}},
		{name: "the audit log pages", method: "GET", path: "/v1/admin/audit?limit=2", token: "boss", status: 200,
			check: func(t *testing.T, s *suite, body string, _ http.Header) {
				var page struct {
					Entries []struct{ ID string }
					Next    string
				}
				mustJSON(t, body, &page)
				if len(page.Entries) != 2 || page.Next == "" {
					t.Fatalf("page %s", body)
				}
				code, body2 := s.call("GET", "/v1/admin/audit?limit=2&cursor="+page.Next, "boss", "", nil)
				var page2 struct{ Entries []struct{ ID string } }
				mustJSON(t, body2, &page2)
				if code != 200 || len(page2.Entries) == 0 || page2.Entries[0].ID == page.Entries[1].ID || page2.Entries[0].ID == page.Entries[0].ID {
					t.Fatalf("second page %d %s", code, body2)
				}
			}},
	})
}
