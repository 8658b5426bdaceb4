package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestRoomsLifecycle walks every room route through its success and
// failure paths, in order, on one service.
func TestRoomsLifecycle(t *testing.T) {
	s := newSuite(t, nil)
	s.admit("alice", "bob", "carol", "dave", "eve")
	s.user("newbie", nil)
	missing := "ZZZZZZZZZZZZZZZZZZZZZZ"

	s.run(t, []step{
		// Authentication and admission.
		{name: "no token is 401 missing_token", method: "GET", path: "/v1/rooms", status: 401, contains: []string{`"code":"missing_token"`}},
		{name: "a garbage token is 401 invalid_token", method: "GET", path: "/v1/rooms", token: "raw:abc.def.ghi", status: 401, contains: []string{`"code":"invalid_token"`}},
		{name: "a user without chat cannot create rooms", method: "POST", path: "/v1/rooms", token: "newbie", body: `{}`, status: 403, contains: []string{`"code":"not_admitted"`}},
		{name: "the user asks for admission", method: "POST", path: "/v1/me/claims", token: "newbie", status: 200, contains: []string{`"chat":true`, `"refreshIdToken":true`, `"claimsVersion":1`}},
		{name: "with a refreshed token the user is admitted", method: "GET", path: "/v1/rooms", token: "newbie", status: 200, contains: []string{`"rooms":[]`},
			before: func(s *suite) { s.signIn("newbie") }},

		// Creation and its input checks.
		{name: "alice creates a group room", method: "POST", path: "/v1/rooms", token: "alice", body: `{"members":["bob","carol"],"title":"Trio"}`, status: 201, save: "group",
			contains: []string{`"memberCount":3`, `{"uid":"alice","role":"owner"`, `"kind":"group"`},
			check: func(t *testing.T, s *suite, _ string, h http.Header) {
				if h.Get("Location") != "/v1/rooms/"+s.vars["group"] {
					t.Errorf("Location = %q", h.Get("Location"))
				}
				if len(s.vars["group"]) != 22 {
					t.Errorf("room ID %q", s.vars["group"])
				}
			}},
		{name: "unknown members are 422", method: "POST", path: "/v1/rooms", token: "alice", body: `{"members":["bob","ghost"]}`, status: 422, contains: []string{`"code":"members_unavailable"`, `"uids":["ghost"]`}},
		{name: "unknown fields are 400", method: "POST", path: "/v1/rooms", token: "alice", body: `{"title":"x","public":true}`, status: 400, contains: []string{`"field":"public"`}},
		{name: "wrong types are 400", method: "POST", path: "/v1/rooms", token: "alice", body: `{"members":"bob"}`, status: 400, contains: []string{`"field":"members"`}},
		{name: "duplicate members are 400", method: "POST", path: "/v1/rooms", token: "alice", body: `{"members":["bob","bob"]}`, status: 400},
		{name: "duplicate keys are 400", method: "POST", path: "/v1/rooms", token: "alice", body: `{"title":"a","title":"b"}`, status: 400},
		{name: "trailing data is 400", method: "POST", path: "/v1/rooms", token: "alice", body: `{}{}`, status: 400},
		{name: "a 121-character title is 400", method: "POST", path: "/v1/rooms", token: "alice", body: `{"title":"` + strings.Repeat("ß", 121) + `"}`, status: 400, contains: []string{`"field":"title"`}},
		{name: "an oversized body is 413", method: "POST", path: "/v1/rooms", token: "alice", body: `{"title":"` + strings.Repeat("x", 65<<10) + `"}`, status: 413},
		{name: "a non-JSON body is 415", method: "POST", path: "/v1/rooms", token: "alice", body: `title=x`, headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, status: 415},

		// Reading.
		{name: "a member reads the room", method: "GET", path: "/v1/rooms/{group}", token: "bob", status: 200, contains: []string{`"title":"Trio"`, `"id":"{group}"`}},
		{name: "a non-member gets the same 404 as for a missing room", method: "GET", path: "/v1/rooms/{group}", token: "eve", status: 404, contains: []string{`"code":"room_not_found"`},
			check: func(t *testing.T, s *suite, body string, _ http.Header) {
				code, other := s.call("GET", "/v1/rooms/"+missing, "eve", "", nil)
				if code != 404 || other != body {
					t.Fatalf("missing room: %d %q; non-member: %q", code, other, body)
				}
			}},
		{name: "a malformed room ID is 400", method: "GET", path: "/v1/rooms/not-a-room", token: "bob", status: 400, contains: []string{`"code":"invalid_room_id"`}},
		{name: "bob's list shows the room", method: "GET", path: "/v1/rooms", token: "bob", status: 200, contains: []string{`"id":"{group}"`, `"role":"member"`}},
		{name: "limit 0 is 400", method: "GET", path: "/v1/rooms?limit=0", token: "bob", status: 400},
		{name: "a forged cursor is 400", method: "GET", path: "/v1/rooms?cursor=djEuMS5hYmM", token: "bob", status: 400, contains: []string{`"code":"invalid_cursor"`}},

		// Adding members.
		{name: "a plain member cannot add", method: "POST", path: "/v1/rooms/{group}/members", token: "bob", body: `{"members":["dave"]}`, status: 403, contains: []string{`"code":"room_role_required"`}},
		{name: "a non-member cannot add (404)", method: "POST", path: "/v1/rooms/{group}/members", token: "eve", body: `{"members":["dave"]}`, status: 404},
		{name: "the owner adds dave", method: "POST", path: "/v1/rooms/{group}/members", token: "alice", body: `{"members":["dave"]}`, status: 200, contains: []string{`"memberCount":4`, `"uid":"dave"`}},
		{name: "adding a current member changes nothing", method: "POST", path: "/v1/rooms/{group}/members", token: "alice", body: `{"members":["dave"]}`, status: 200, contains: []string{`"memberCount":4`}},
		{name: "adding a ghost is 422", method: "POST", path: "/v1/rooms/{group}/members", token: "alice", body: `{"members":["ghost"]}`, status: 422},

		// Removing and leaving.
		{name: "a plain member cannot remove another", method: "DELETE", path: "/v1/rooms/{group}/members/carol", token: "bob", status: 403},
		{name: "removing a non-member is 404 member_not_found", method: "DELETE", path: "/v1/rooms/{group}/members/eve", token: "alice", status: 404, contains: []string{`"code":"member_not_found"`}},
		{name: "a malformed uid is 400", method: "DELETE", path: "/v1/rooms/{group}/members/__x__", token: "alice", status: 400, contains: []string{`"code":"invalid_uid"`}},
		{name: "carol leaves", method: "DELETE", path: "/v1/rooms/{group}/members/carol", token: "carol", status: 200, contains: []string{`"roomDeleted":false`}},
		{name: "the owner leaves and bob, the longest member, takes over", method: "DELETE", path: "/v1/rooms/{group}/members/alice", token: "alice", status: 200, contains: []string{`"newOwner":"bob"`}},
		{name: "bob is owner now", method: "GET", path: "/v1/rooms/{group}", token: "bob", status: 200, contains: []string{`{"uid":"bob","role":"owner"`, `"memberCount":2`}, absent: []string{`"uid":"alice"`}},
		{name: "alice no longer sees it", method: "GET", path: "/v1/rooms/{group}", token: "alice", status: 404},

		// Deleting.
		{name: "a plain member cannot delete", method: "DELETE", path: "/v1/rooms/{group}", token: "dave", status: 403},
		{name: "the owner deletes", method: "DELETE", path: "/v1/rooms/{group}", token: "bob", status: 204,
			before: func(s *suite) {
				_, err := s.fs.Collection("rooms").Doc(s.vars["group"]).Collection("messages").NewDoc().Create(context.Background(), map[string]any{"senderId": "bob", "text": "hi"})
				if err != nil {
					s.t.Fatal(err)
				}
			},
			check: func(t *testing.T, s *suite, _ string, _ http.Header) {
				room := s.fs.Collection("rooms").Doc(s.vars["group"])
				// The messages go in the background, after the answer.
				deadline := time.Now().Add(time.Minute) // a bound on a hang, not a performance check
				tomb := s.fs.Collection("deletions").Doc(s.vars["group"])
				pending := func() bool { _, err := tomb.Get(context.Background()); return err == nil }
				for s.count(t, room.Collection("messages").Query) != 0 || pending() {
					if time.Now().After(deadline) {
						t.Fatal("the deleted room's messages were not swept")
					}
					time.Sleep(20 * time.Millisecond)
				}
				for name, n := range map[string]int{
					"members":    s.count(t, room.Collection("members").Query),
					"bob index":  s.count(t, s.fs.Collection("users").Doc("bob").Collection("rooms").Query),
					"dave index": s.count(t, s.fs.Collection("users").Doc("dave").Collection("rooms").Query),
				} {
					if n != 0 {
						t.Errorf("%s: %d left", name, n)
					}
				}
			}},
		{name: "the deleted room is 404", method: "GET", path: "/v1/rooms/{group}", token: "bob", status: 404},

		// Direct rooms.
		{name: "alice opens a direct room with bob", method: "POST", path: "/v1/rooms", token: "alice", body: `{"kind":"direct","members":["bob"]}`, status: 201, save: "direct"},
		{name: "bob opening one with alice gets the same room (200)", method: "POST", path: "/v1/rooms", token: "bob", body: `{"kind":"direct","members":["alice"]}`, status: 200, contains: []string{`"id":"{direct}"`}},
		{name: "a direct room with two others is 400", method: "POST", path: "/v1/rooms", token: "alice", body: `{"kind":"direct","members":["bob","carol"]}`, status: 400},
		{name: "a direct room takes no more members", method: "POST", path: "/v1/rooms/{direct}/members", token: "alice", body: `{"members":["carol"]}`, status: 409, contains: []string{`"code":"direct_room_fixed"`}},

		// Idempotency.
		{name: "a keyed create", method: "POST", path: "/v1/rooms", token: "alice", body: `{"title":"idem"}`, headers: map[string]string{"Idempotency-Key": "key-1"}, status: 201, save: "idem"},
		{name: "the same key and body replay the response", method: "POST", path: "/v1/rooms", token: "alice", body: `{ "title" : "idem" }`, headers: map[string]string{"Idempotency-Key": "key-1"}, status: 201, contains: []string{`"id":"{idem}"`},
			check: func(t *testing.T, s *suite, _ string, h http.Header) {
				if h.Get("Idempotent-Replayed") != "true" {
					t.Error("no Idempotent-Replayed header")
				}
				if n := s.count(t, s.fs.Collection("users").Doc("alice").Collection("rooms").Where("title", "==", "idem")); n != 1 {
					t.Errorf("%d idem rooms", n)
				}
			}},
		{name: "the same key with another body is 422", method: "POST", path: "/v1/rooms", token: "alice", body: `{"title":"other"}`, headers: map[string]string{"Idempotency-Key": "key-1"}, status: 422, contains: []string{`"code":"idempotency_key_reused"`}},
		{name: "another user's same key is independent", method: "POST", path: "/v1/rooms", token: "bob", body: `{"title":"idem"}`, headers: map[string]string{"Idempotency-Key": "key-1"}, status: 201, absent: []string{`"id":"{idem}"`}},
		{name: "a malformed key is 400", method: "POST", path: "/v1/rooms", token: "alice", body: `{}`, headers: map[string]string{"Idempotency-Key": "bad key"}, status: 400},

		// Last one out.
		{name: "carol creates a room alone", method: "POST", path: "/v1/rooms", token: "carol", body: `{"title":"solo"}`, status: 201, save: "solo"},
		{name: "and leaves it, which deletes it", method: "DELETE", path: "/v1/rooms/{solo}/members/carol", token: "carol", status: 200, contains: []string{`"roomDeleted":true`},
			check: func(t *testing.T, s *suite, _ string, _ http.Header) {
				if _, err := s.fs.Collection("rooms").Doc(s.vars["solo"]).Get(context.Background()); err == nil {
					t.Error("the room document survived")
				}
			}},

		{name: "an unknown /v1 route is 404", method: "GET", path: "/v1/nothing", token: "alice", status: 404},
	})
}

func TestListPagination(t *testing.T) {
	s := newSuite(t, nil)
	s.admit("alice")
	for i := 0; i < 7; i++ {
		if code, body := s.call("POST", "/v1/rooms", "alice", `{"title":"r"}`, nil); code != 201 {
			t.Fatalf("create: %d %s", code, body)
		}
	}
	seen := map[string]bool{}
	path := "/v1/rooms?limit=3"
	for pages := 1; ; pages++ {
		code, body := s.call("GET", path, "alice", "", nil)
		if code != 200 {
			t.Fatalf("page %d: %d %s", pages, code, body)
		}
		var p struct {
			Rooms []struct{ ID string }
			Next  string
		}
		mustJSON(t, body, &p)
		for _, r := range p.Rooms {
			if seen[r.ID] {
				t.Fatalf("room %s repeated", r.ID)
			}
			seen[r.ID] = true
		}
		if p.Next == "" {
			if pages != 3 || len(seen) != 7 {
				t.Fatalf("%d pages, %d rooms", pages, len(seen))
			}
			return
		}
		path = "/v1/rooms?limit=3&cursor=" + p.Next
	}
}
