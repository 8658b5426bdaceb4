package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/firestore"

	"github.com/roomgate/roomgate/internal/config"
)

// TestInvites walks invitations end to end: who may mint them, accepting
// (and accepting twice), use limits, expiry, revocation, a creator who
// loses their role, and that tokens are stored only as digests.
func TestInvites(t *testing.T) {
	s := newSuite(t, nil)
	s.admit("alice", "bob", "carol", "dave", "eve", "frank")
	ctx := context.Background()
	invite := func(name string) func(t *testing.T, s *suite, body string, _ http.Header) {
		return func(t *testing.T, s *suite, body string, h http.Header) {
			var v struct {
				ID, Token, AcceptPath string
			}
			mustJSON(t, body, &v)
			if len(v.Token) != 43 || v.ID == v.Token || v.AcceptPath != "/v1/invites/"+v.Token+":accept" {
				t.Fatalf("invite %+v", v)
			}
			if h.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q", h.Get("Cache-Control"))
			}
			s.vars[name] = v.Token
			s.vars[name+"Id"] = v.ID
		}
	}
	var invalidBody string
	sameAsInvalid := func(t *testing.T, _ *suite, body string, _ http.Header) {
		if invalidBody == "" {
			invalidBody = body
		}
		if body != invalidBody {
			t.Fatalf("invalid invites answer differently:\n%s\n%s", body, invalidBody)
		}
	}
	s.run(t, []step{
		{name: "alice creates a group room with bob", method: "POST", path: "/v1/rooms", token: "alice", body: `{"members":["bob"],"title":"Club"}`, status: 201, save: "room"},
		{name: "a non-member cannot mint (404 as for no room)", method: "POST", path: "/v1/rooms/{room}/invites", token: "carol", status: 404, contains: []string{`"code":"room_not_found"`}},
		{name: "a plain member cannot mint", method: "POST", path: "/v1/rooms/{room}/invites", token: "bob", status: 403, contains: []string{`"code":"room_role_required"`}},
		{name: "the owner mints a two-use invite", method: "POST", path: "/v1/rooms/{room}/invites", token: "alice", body: `{"maxUses":2}`, status: 201,
			contains: []string{`"maxUses":2`}, absent: []string{`"roomId"`, "{room}"}, check: invite("two")},
		{name: "an unknown token is invite_invalid", method: "POST", path: "/v1/invites/" + strings.Repeat("A", 43) + ":accept", token: "carol", status: 404,
			contains: []string{`"code":"invite_invalid"`}, absent: []string{"{room}"}, check: sameAsInvalid},
		{name: "carol accepts and is in", method: "POST", path: "/v1/invites/{two}:accept", token: "carol", status: 200,
			contains: []string{`"joined":true`, `"id":"{room}"`, `{"uid":"carol","role":"member","addedBy":"alice"`, `"memberCount":3`}},
		{name: "carol accepting again uses nothing", method: "POST", path: "/v1/invites/{two}:accept", token: "carol", status: 200, contains: []string{`"joined":false`, `"memberCount":3`}},
		{name: "dave takes the second use", method: "POST", path: "/v1/invites/{two}:accept", token: "dave", status: 200, contains: []string{`"joined":true`, `"memberCount":4`}},
		{name: "a used-up invite answers like an unknown one", method: "POST", path: "/v1/invites/{two}:accept", token: "eve", status: 404, check: sameAsInvalid},
		{name: "eve is not in the room", method: "GET", path: "/v1/rooms/{room}", token: "eve", status: 404},

		{name: "alice mints an invite to revoke", method: "POST", path: "/v1/rooms/{room}/invites", token: "alice", status: 201, check: invite("rev")},
		{name: "a member cannot revoke", method: "DELETE", path: "/v1/rooms/{room}/invites/{revId}", token: "carol", status: 403},
		{name: "alice revokes", method: "DELETE", path: "/v1/rooms/{room}/invites/{revId}", token: "alice", status: 204},
		{name: "revoking again is fine", method: "DELETE", path: "/v1/rooms/{room}/invites/{revId}", token: "alice", status: 204},
		{name: "an unknown invite ID is 404 invite_not_found", method: "DELETE", path: "/v1/rooms/{room}/invites/ZZZZZZZZZZZZZZZZZZZZZZ", token: "alice", status: 404, contains: []string{`"code":"invite_not_found"`}},
		{name: "a revoked invite answers like an unknown one", method: "POST", path: "/v1/invites/{rev}:accept", token: "eve", status: 404, check: sameAsInvalid},

		{name: "alice mints an invite that will expire", method: "POST", path: "/v1/rooms/{room}/invites", token: "alice", body: `{"expiresInSeconds":60}`, status: 201, check: invite("exp")},
		{name: "an expired invite answers like an unknown one", method: "POST", path: "/v1/invites/{exp}:accept", token: "eve", status: 404, check: sameAsInvalid,
			before: func(s *suite) {
				// Age the invite in the database rather than waiting.
				ref := s.fs.Collection("invites").Doc(digest(s.vars["exp"]))
				if _, err := ref.Update(ctx, []firestore.Update{{Path: "expiresAt", Value: time.Now().Add(-time.Second)}}); err != nil {
					t.Fatal(err)
				}
			}},

		{name: "alice makes bob a room admin", method: "PUT", path: "/v1/rooms/{room}/members/bob", token: "alice", body: `{"role":"admin"}`, status: 200},
		{name: "bob, a room admin, mints", method: "POST", path: "/v1/rooms/{room}/invites", token: "bob", body: `{"maxUses":5}`, status: 201, check: invite("bobs")},
		{name: "alice demotes bob", method: "PUT", path: "/v1/rooms/{room}/members/bob", token: "alice", body: `{"role":"member"}`, status: 200},
		{name: "bob's invite died with his role", method: "POST", path: "/v1/invites/{bobs}:accept", token: "eve", status: 404, check: sameAsInvalid},
	})

	// Tokens are stored only as digests; no invite document holds one.
	docs, err := s.fs.Collection("invites").Documents(ctx).GetAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 4 {
		t.Fatalf("%d invite documents, want 4", len(docs))
	}
	tokens := []string{s.vars["two"], s.vars["rev"], s.vars["exp"], s.vars["bobs"]}
	for _, d := range docs {
		for _, tok := range tokens {
			if d.Ref.ID == tok {
				t.Fatalf("a token is a document ID")
			}
			for k, v := range d.Data() {
				if str, ok := v.(string); ok && strings.Contains(str, tok) {
					t.Fatalf("field %s holds a token", k)
				}
			}
		}
	}
	if _, err := s.fs.Collection("invites").Doc(digest(s.vars["two"])).Get(ctx); err != nil {
		t.Fatalf("invite not under its digest: %v", err)
	}
}

// TestInviteRespectsTheCap: a full room refuses acceptance.
func TestInviteRespectsTheCap(t *testing.T) {
	s := newSuite(t, func(c *config.Config) { c.MaxMembers = 3 })
	s.admit("alice", "bob", "carol", "dave")
	var tok string
	s.run(t, []step{
		{name: "a room of two", method: "POST", path: "/v1/rooms", token: "alice", body: `{"members":["bob"]}`, status: 201, save: "room"},
		{name: "a ten-use invite", method: "POST", path: "/v1/rooms/{room}/invites", token: "alice", body: `{"maxUses":10}`, status: 201,
			check: func(t *testing.T, s *suite, body string, _ http.Header) {
				var v struct{ Token string }
				mustJSON(t, body, &v)
				tok, s.vars["tok"] = v.Token, v.Token
			}},
		{name: "carol fills the room", method: "POST", path: "/v1/invites/{tok}:accept", token: "carol", status: 200, contains: []string{`"memberCount":3`}},
		{name: "dave finds it full", method: "POST", path: "/v1/invites/{tok}:accept", token: "dave", status: 409, contains: []string{`"code":"member_cap_reached"`}},
	})
	if tok == "" {
		t.Fatal("no token")
	}
}

func digest(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// TestInviteLastUseIsTakenOnce: users racing for a single-use invite;
// exactly one gets in (the invite document is part of each acceptance's
// transaction).
func TestInviteLastUseIsTakenOnce(t *testing.T) {
	s := newSuite(t, nil)
	racers := []string{"r1", "r2", "r3", "r4", "r5"}
	s.admit(append([]string{"alice"}, racers...)...)
	code, body := s.call("POST", "/v1/rooms", "alice", `{"title":"Race"}`, nil)
	if code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	var room struct{ ID string }
	mustJSON(t, body, &room)
	code, body = s.call("POST", "/v1/rooms/"+room.ID+"/invites", "alice", "", nil)
	if code != 201 {
		t.Fatalf("invite: %d %s", code, body)
	}
	var inv struct{ Token string }
	mustJSON(t, body, &inv)
	codes := make(chan int, len(racers))
	for _, u := range racers {
		go func() {
			c, _ := s.callAt(s.srv.URL, "POST", "/v1/invites/"+inv.Token+":accept", u, "")
			codes <- c
		}()
	}
	counts := map[int]int{}
	for range racers {
		counts[<-codes]++
	}
	if counts[200] != 1 || counts[404] != len(racers)-1 {
		t.Fatalf("outcomes %v, want one 200 and the rest 404", counts)
	}
	code, body = s.call("GET", "/v1/rooms/"+room.ID, "alice", "", nil)
	if code != 200 || !strings.Contains(body, `"memberCount":2`) {
		t.Fatalf("room: %d %s", code, body)
	}
}

// TestABannedCreatorsInviteIsDead: between a ban's record (users/{uid}
// says banned) and its ejection reaching the room, the banned room admin
// still holds the role; the invite they minted admits no one all the
// same, answering like an unknown invite.
func TestABannedCreatorsInviteIsDead(t *testing.T) {
	s := newSuite(t, nil)
	s.admit("alice", "bob", "carol")
	ctx := context.Background()
	s.run(t, []step{
		{name: "alice creates a group room with bob", method: "POST", path: "/v1/rooms", token: "alice", body: `{"members":["bob"],"title":"Club"}`, status: 201, save: "room"},
		{name: "alice makes bob a room admin", method: "PUT", path: "/v1/rooms/{room}/members/bob", token: "alice", body: `{"role":"admin"}`, status: 200},
		{name: "bob mints", method: "POST", path: "/v1/rooms/{room}/invites", token: "bob", body: `{"maxUses":5}`, status: 201,
			check: func(t *testing.T, s *suite, body string, _ http.Header) {
				var v struct{ Token string }
				mustJSON(t, body, &v)
				s.vars["bobs"] = v.Token
			}},
		{name: "bob's ban is recorded, not yet carried to the room", method: "POST", path: "/v1/invites/{bobs}:accept", token: "carol", status: 404,
			contains: []string{`"code":"invite_invalid"`},
			before: func(s *suite) {
				if _, err := s.fs.Collection("users").Doc("bob").Set(ctx, map[string]any{"banned": true, "chat": false}, firestore.MergeAll); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "carol is not in the room", method: "GET", path: "/v1/rooms/{room}", token: "carol", status: 404},
		{name: "bob is still a room admin (the ejection has not run)", method: "GET", path: "/v1/rooms/{room}", token: "alice", status: 200,
			contains: []string{`{"uid":"bob","role":"admin"`}},
		{name: "alice's listing no longer shows bob's invite", method: "GET", path: "/v1/rooms/{room}/invites", token: "alice", status: 200,
			check: func(t *testing.T, _ *suite, body string, _ http.Header) {
				var v struct{ Invites []struct{ CreatedBy string } }
				mustJSON(t, body, &v)
				if len(v.Invites) != 0 {
					t.Errorf("listing shows %d invites of a banned creator: %s", len(v.Invites), body)
				}
			}},
	})
}
