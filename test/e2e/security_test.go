package e2e

import (
	"context"
	"net/http"
	"testing"
)

// TestABanLandingMidRequestStopsTheCaller: a ban is recorded in users/{uid}
// before the banned user's refresh tokens are revoked and before the
// room sweep runs. A create or add by that user in between, with a token
// that still carries chat and passes the revocation check, must not
// commit a membership the sweep would miss.
func TestABanLandingMidRequestStopsTheCaller(t *testing.T) {
	s := newSuite(t, nil)
	s.admit("eve", "bob", "carol")
	banInFirestore := func(s *suite) {
		// What the ban's transaction writes, before revocation and sweep.
		if _, err := s.fs.Collection("users").Doc("eve").Set(context.Background(), map[string]any{"banned": true, "chat": false, "claimsVersion": 2}); err != nil {
			s.t.Fatal(err)
		}
	}
	s.run(t, []step{
		{name: "eve creates a room before the ban", method: "POST", path: "/v1/rooms", token: "eve", body: `{"members":["bob"]}`, status: 201, save: "room"},
		{name: "with the ban recorded, eve's still-valid token cannot create a room", method: "POST", path: "/v1/rooms", token: "eve", body: `{"title":"after"}`, status: 403,
			contains: []string{`"code":"banned"`}, before: banInFirestore,
			check: func(t *testing.T, s *suite, _ string, _ http.Header) {
				if n := s.count(t, s.fs.Collection("users").Doc("eve").Collection("rooms").Where("title", "==", "after")); n != 0 {
					t.Fatalf("eve joined %d new rooms", n)
				}
			}},
		{name: "nor open a direct room", method: "POST", path: "/v1/rooms", token: "eve", body: `{"kind":"direct","members":["carol"]}`, status: 403, contains: []string{`"code":"banned"`}},
		{name: "nor add members to her room", method: "POST", path: "/v1/rooms/{room}/members", token: "eve", body: `{"members":["carol"]}`, status: 403, contains: []string{`"code":"banned"`},
			check: func(t *testing.T, s *suite, _ string, _ http.Header) {
				if n := s.count(t, s.fs.Collection("rooms").Doc(s.vars["room"]).Collection("members").Query); n != 2 {
					t.Fatalf("%d members", n)
				}
			}},
	})
}

// TestOnlyThoseWhoMayAddLearnWhetherUIDsExist: adding members answers
// "members_unavailable" (which tells existing from missing uids) only to
// the room's owner or admins; everyone else gets their refusal first.
func TestOnlyThoseWhoMayAddLearnWhetherUIDsExist(t *testing.T) {
	s := newSuite(t, nil)
	s.admit("alice", "bob", "carol")
	s.run(t, []step{
		{name: "alice creates a group", method: "POST", path: "/v1/rooms", token: "alice", body: `{"members":["bob"]}`, status: 201, save: "group"},
		{name: "alice opens a direct room with carol", method: "POST", path: "/v1/rooms", token: "alice", body: `{"kind":"direct","members":["carol"]}`, status: 201, save: "direct"},
		{name: "a plain member probing a ghost uid is refused for the role", method: "POST", path: "/v1/rooms/{group}/members", token: "bob", body: `{"members":["ghost"]}`, status: 403,
			contains: []string{`"code":"room_role_required"`}, absent: []string{"ghost"}},
		{name: "and the same for an existing uid", method: "POST", path: "/v1/rooms/{group}/members", token: "bob", body: `{"members":["carol"]}`, status: 403, contains: []string{`"code":"room_role_required"`}},
		{name: "a direct room refuses before looking the uid up", method: "POST", path: "/v1/rooms/{direct}/members", token: "alice", body: `{"members":["ghost"]}`, status: 409, contains: []string{`"code":"direct_room_fixed"`}},
		{name: "a non-member probing gets the missing-room 404", method: "POST", path: "/v1/rooms/{group}/members", token: "carol", body: `{"members":["ghost"]}`, status: 404, contains: []string{`"code":"room_not_found"`}},
		{name: "the owner learns that the ghost is unavailable", method: "POST", path: "/v1/rooms/{group}/members", token: "alice", body: `{"members":["ghost"]}`, status: 422, contains: []string{`"uids":["ghost"]`}},
	})
}

// TestIdempotentReplayIsTheOriginalResponse: the same key and body give
// back the first response: status, body and Location.
func TestIdempotentReplayIsTheOriginalResponse(t *testing.T) {
	s := newSuite(t, nil)
	s.admit("alice", "bob")
	for _, body := range []string{`{"title":"keyed"}`, `{"kind":"direct","members":["bob"]}`} {
		key := map[string]string{"Idempotency-Key": "k-" + body}
		code1, body1, h1 := s.callH("POST", "/v1/rooms", "alice", body, key)
		code2, body2, h2 := s.callH("POST", "/v1/rooms", "alice", body, key)
		if code1/100 != 2 || code2 != code1 || body2 != body1 {
			t.Fatalf("first %d %s\nreplay %d %s", code1, body1, code2, body2)
		}
		if h2.Get("Location") != h1.Get("Location") {
			t.Errorf("%s: Location %q, replay %q", body, h1.Get("Location"), h2.Get("Location"))
		}
		if h2.Get("Idempotent-Replayed") != "true" {
			t.Errorf("%s: replay not marked", body)
		}
	}
}
