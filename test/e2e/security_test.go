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
