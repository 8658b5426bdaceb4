package e2e

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/firestore"

	"github.com/roomgate/roomgate/internal/config"
)

// invitePage is one page of GET /v1/rooms/{id}/invites.
type invitePage struct {
	Invites []struct {
		ID, CreatedBy        string
		CreatedAt, ExpiresAt time.Time
		MaxUses, Uses        int
	}
	Next string
}

// mint creates an invite to room as uid and returns its token and ID.
func (s *suite) mint(t *testing.T, room, uid, body string) (token, id string) {
	t.Helper()
	code, b := s.call("POST", "/v1/rooms/"+room+"/invites", uid, body, nil)
	if code != 201 {
		t.Fatalf("mint as %s: %d %s", uid, code, b)
	}
	var v struct{ ID, Token string }
	mustJSON(t, b, &v)
	return v.Token, v.ID
}

// listAll walks every page of room's invites as uid with page size limit,
// checking that no raw body holds a secret; it returns the IDs in order.
func (s *suite) listAll(t *testing.T, room, uid, limit string, secrets []string) []string {
	t.Helper()
	var ids []string
	path := "/v1/rooms/" + room + "/invites?limit=" + limit
	for pages := 0; ; pages++ {
		if pages > 20 {
			t.Fatal("the listing does not end")
		}
		code, body, h := s.callH("GET", path, uid, "", nil)
		if code != 200 {
			t.Fatalf("GET %s: %d %s", path, code, body)
		}
		if h.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q", h.Get("Cache-Control"))
		}
		for _, sec := range secrets {
			if strings.Contains(body, sec) {
				t.Fatalf("a listing holds a token or its digest: %s", body)
			}
		}
		if strings.Contains(body, `"token"`) || strings.Contains(body, "acceptPath") {
			t.Fatalf("a listing has a token field: %s", body)
		}
		var p invitePage
		mustJSON(t, body, &p)
		for _, inv := range p.Invites {
			ids = append(ids, inv.ID)
		}
		if p.Next == "" {
			return ids
		}
		path = "/v1/rooms/" + room + "/invites?limit=" + limit + "&cursor=" + p.Next
	}
}

// TestInviteListing: an owner or room admin lists exactly the room's live
// invites (not the revoked, expired, used-up ones nor those of a demoted
// admin), page by page, and never sees a token or a token's digest; a
// plain member is refused and a non-member told there is no such room.
func TestInviteListing(t *testing.T) {
	s := newSuite(t, nil)
	s.admit("alice", "bob", "carol", "dave", "erin", "frank")
	ctx := context.Background()
	code, body := s.call("POST", "/v1/rooms", "alice", `{"members":["bob","carol"],"title":"Club"}`, nil)
	if code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	var room struct{ ID string }
	mustJSON(t, body, &room)
	s.vars["room"] = room.ID
	if code, body := s.call("PUT", "/v1/rooms/{room}/members/carol", "alice", `{"role":"admin"}`, nil); code != 200 {
		t.Fatalf("make carol admin: %d %s", code, body)
	}

	var secrets []string
	mint := func(uid, body string) (string, string) {
		tok, id := s.mint(t, room.ID, uid, body)
		secrets = append(secrets, tok, digest(tok))
		return tok, id
	}
	_, live1 := mint("alice", `{"maxUses":3}`)
	_, live2 := mint("alice", `{"expiresInSeconds":3600}`)
	used, live3 := mint("alice", `{"maxUses":2}`) // one use taken: still live
	_, carols := mint("carol", "")
	_, revoked := mint("alice", "")
	expTok, expired := mint("alice", "")
	usedUpTok, usedUp := mint("alice", "")
	// A second room's invite is not listed in the first.
	code, body = s.call("POST", "/v1/rooms", "alice", `{"title":"Other"}`, nil)
	if code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	var other struct{ ID string }
	mustJSON(t, body, &other)
	otherTok, otherID := s.mint(t, other.ID, "alice", "")
	secrets = append(secrets, otherTok, digest(otherTok))

	for _, c := range []struct{ method, path, uid string }{
		{"POST", "/v1/invites/" + used + ":accept", "dave"},
		{"POST", "/v1/invites/" + usedUpTok + ":accept", "erin"},
		{"DELETE", "/v1/rooms/{room}/invites/" + revoked, "alice"},
	} {
		if code, body := s.call(c.method, c.path, c.uid, "", nil); code/100 != 2 {
			t.Fatalf("%s %s: %d %s", c.method, c.path, code, body)
		}
	}
	// Age one invite in the database rather than waiting.
	if _, err := s.fs.Collection("invites").Doc(digest(expTok)).Update(ctx, []firestore.Update{{Path: "expiresAt", Value: time.Now().Add(-time.Second)}}); err != nil {
		t.Fatal(err)
	}

	want := []string{live1, live2, live3, carols}
	for _, dead := range []string{revoked, expired, usedUp, otherID} {
		if slices.Contains(want, dead) {
			t.Fatal("ID collision")
		}
	}
	sameSet := func(what string, got, want []string) {
		t.Helper()
		g, w := slices.Clone(got), slices.Clone(want)
		slices.Sort(g)
		slices.Sort(w)
		if !slices.Equal(g, w) {
			t.Fatalf("%s: listed %v, want exactly %v", what, got, want)
		}
	}
	all := s.listAll(t, room.ID, "alice", "100", secrets)
	sameSet("owner, one page", all, want)
	for _, limit := range []string{"1", "3"} {
		paged := s.listAll(t, room.ID, "alice", limit, secrets)
		if !slices.Equal(paged, all) {
			t.Fatalf("limit %s: %v, want the one-page order %v", limit, paged, all)
		}
	}
	sameSet("room admin", s.listAll(t, room.ID, "carol", "2", secrets), want)

	// The entries carry the bookkeeping.
	code, body = s.call("GET", "/v1/rooms/{room}/invites", "alice", "", nil)
	var p invitePage
	mustJSON(t, body, &p)
	for _, inv := range p.Invites {
		if inv.ID == live3 && (inv.Uses != 1 || inv.MaxUses != 2 || inv.CreatedBy != "alice" || !inv.ExpiresAt.After(inv.CreatedAt)) {
			t.Fatalf("entry %+v", inv)
		}
		if inv.ID == carols && inv.CreatedBy != "carol" {
			t.Fatalf("entry %+v", inv)
		}
	}
	// Soonest expiry first: the one-hour invite leads.
	if code != 200 || len(p.Invites) == 0 || p.Invites[0].ID != live2 {
		t.Fatalf("first entry: %d %s", code, body)
	}

	s.run(t, []step{
		{name: "a plain member may not list", method: "GET", path: "/v1/rooms/{room}/invites", token: "bob", status: 403, contains: []string{`"code":"room_role_required"`}},
		{name: "a non-member hears there is no room", method: "GET", path: "/v1/rooms/{room}/invites", token: "frank", status: 404, contains: []string{`"code":"room_not_found"`}},
		{name: "the member who joined by invite may not list", method: "GET", path: "/v1/rooms/{room}/invites", token: "dave", status: 403},
		{name: "a forged cursor is 400", method: "GET", path: "/v1/rooms/{room}/invites?cursor=djEuMS5aWlpaWlpaWlpaWlpaWlpaWlpaWlpa", token: "alice", status: 400, contains: []string{`"code":"invalid_cursor"`}},
		{name: "garbage as a cursor is 400", method: "GET", path: "/v1/rooms/{room}/invites?cursor=%25%25%25", token: "alice", status: 400, contains: []string{`"code":"invalid_cursor"`}},
		{name: "a limit of 0 is 400", method: "GET", path: "/v1/rooms/{room}/invites?limit=0", token: "alice", status: 400, contains: []string{`"field":"limit"`}},
		{name: "alice demotes carol", method: "PUT", path: "/v1/rooms/{room}/members/carol", token: "alice", body: `{"role":"member"}`, status: 200},
		{name: "carol, demoted, may not list", method: "GET", path: "/v1/rooms/{room}/invites", token: "carol", status: 403},
	})
	// carol's invite died with her role and is no longer listed.
	sameSet("after carol's demotion", s.listAll(t, room.ID, "alice", "2", secrets), []string{live1, live2, live3})
}

// TestInviteSettingsTakeEffect: the configured invite bounds replace the
// built-in ones for minting.
func TestInviteSettingsTakeEffect(t *testing.T) {
	s := newSuite(t, func(c *config.Config) {
		c.InviteDefaultTTL, c.InviteMaxTTL = time.Hour, 2*time.Hour
		c.InviteDefaultUses, c.InviteMaxUses = 3, 5
	})
	s.admit("alice")
	s.run(t, []step{
		{name: "a room", method: "POST", path: "/v1/rooms", token: "alice", body: `{"title":"Set"}`, status: 201, save: "room"},
		{name: "the configured default uses", method: "POST", path: "/v1/rooms/{room}/invites", token: "alice", status: 201, contains: []string{`"maxUses":3`},
			check: func(t *testing.T, _ *suite, body string, _ http.Header) {
				var v struct{ ExpiresAt time.Time }
				mustJSON(t, body, &v)
				if d := time.Until(v.ExpiresAt); d <= 0 || d > time.Hour {
					t.Fatalf("expires in %v, want the configured hour", d)
				}
			}},
		{name: "the configured max uses", method: "POST", path: "/v1/rooms/{room}/invites", token: "alice", body: `{"maxUses":5}`, status: 201},
		{name: "above the configured max uses", method: "POST", path: "/v1/rooms/{room}/invites", token: "alice", body: `{"maxUses":6}`, status: 400, contains: []string{`"field":"maxUses"`, "between 1 and 5"}},
		{name: "the configured max TTL", method: "POST", path: "/v1/rooms/{room}/invites", token: "alice", body: `{"expiresInSeconds":7200}`, status: 201},
		{name: "above the configured max TTL", method: "POST", path: "/v1/rooms/{room}/invites", token: "alice", body: `{"expiresInSeconds":7201}`, status: 400, contains: []string{`"field":"expiresInSeconds"`, "between 60 and 7200"}},
	})
}
