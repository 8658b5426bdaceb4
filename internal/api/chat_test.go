package api

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/roomgate/roomgate/internal/rooms"
)

func TestInviteRoutes(t *testing.T) {
	accept := "/v1/invites/" + testToken + ":accept"
	runScenarios(t, []scenario{
		{name: "an owner mints an invite with defaults", method: "POST", path: "/v1/rooms/" + roomA + "/invites", token: "tok-alice", status: 201,
			contains: []string{`"token":"` + testToken + `"`, `"acceptPath":"` + accept + `"`, `"maxUses":1`}, calls: []string{"CreateInvite"}},
		{name: "maxUses and expiry are taken", method: "POST", path: "/v1/rooms/" + roomA + "/invites", token: "tok-alice", body: `{"maxUses":5,"expiresInSeconds":3600}`, status: 201,
			contains: []string{`"maxUses":5`}, calls: []string{"CreateInvite"}},
		{name: "an expiry past 30 days is 400", method: "POST", path: "/v1/rooms/" + roomA + "/invites", token: "tok-alice", body: `{"expiresInSeconds":2592001}`, status: 400, contains: []string{`"field":"expiresInSeconds"`}},
		{name: "a huge expiry does not overflow", method: "POST", path: "/v1/rooms/" + roomA + "/invites", token: "tok-alice", body: `{"expiresInSeconds":9223372036854775807}`, status: 400},
		{name: "a negative expiry is 400", method: "POST", path: "/v1/rooms/" + roomA + "/invites", token: "tok-alice", body: `{"expiresInSeconds":-1}`, status: 400},
		{name: "1001 uses is 400", method: "POST", path: "/v1/rooms/" + roomA + "/invites", token: "tok-alice", body: `{"maxUses":1001}`, status: 400, contains: []string{`"field":"maxUses"`}},
		{name: "unknown fields are 400", method: "POST", path: "/v1/rooms/" + roomA + "/invites", token: "tok-alice", body: `{"roomId":"x"}`, status: 400},
		{name: "a malformed room ID is 400", method: "POST", path: "/v1/rooms/nope/invites", token: "tok-alice", status: 400},
		{name: "users without chat cannot mint", method: "POST", path: "/v1/rooms/" + roomA + "/invites", token: "tok-newbie", status: 403},
		{name: "accepting a good token joins", method: "POST", path: accept, token: "tok-alice", status: 200, contains: []string{`"joined":true`, `"id":"` + roomA + `"`}, calls: []string{"Accept"}},
		{name: "a token of the wrong shape is invite_invalid", method: "POST", path: "/v1/invites/short:accept", token: "tok-alice", status: 404, contains: []string{`"code":"invite_invalid"`}, calls: []string{"Accept"}},
		{name: "without :accept the route does not exist", method: "POST", path: "/v1/invites/" + testToken, token: "tok-alice", status: 404, contains: []string{`"code":"not_found"`}},
		{name: "another verb is not a route", method: "POST", path: "/v1/invites/" + testToken + ":reject", token: "tok-alice", status: 404, contains: []string{`"code":"not_found"`}},
		{name: "accept takes no fields", method: "POST", path: accept, token: "tok-alice", body: `{"room":"x"}`, status: 400},
		{name: "users without chat cannot accept", method: "POST", path: accept, token: "tok-newbie", status: 403},
		{name: "the owner revokes", method: "DELETE", path: "/v1/rooms/" + roomA + "/invites/IIIIIIIIIIIIIIIIIIIIII", token: "tok-alice", status: 204, calls: []string{"Revoke"}},
		{name: "the owner lists invites without tokens", method: "GET", path: "/v1/rooms/" + roomA + "/invites", token: "tok-alice", status: 200,
			contains: []string{`{"invites":[{"id":"IIIIIIIIIIIIIIIIIIIIII","createdBy":"alice","createdAt":"2026-01-01T00:00:00Z","expiresAt":"2026-01-01T01:00:00Z","maxUses":3,"uses":1}]}`},
			absent:   []string{`"token"`, "acceptPath"}, calls: []string{"ListInvites"}},
		{name: "listing takes a limit and a cursor", method: "GET", path: "/v1/rooms/" + roomA + "/invites?limit=1&cursor=" + rooms.EncodeInviteCursor(rooms.InviteCursor{ExpiresAt: time.Unix(1, 0), InviteID: "IIIIIIIIIIIIIIIIIIIIII"}),
			token: "tok-alice", status: 200, calls: []string{"ListInvites"}},
		{name: "a forged invite cursor is 400", method: "GET", path: "/v1/rooms/" + roomA + "/invites?cursor=bm9wZQ", token: "tok-alice", status: 400, contains: []string{`"code":"invalid_cursor"`}},
		{name: "a room listing's cursor is 400 here", method: "GET", path: "/v1/rooms/" + roomA + "/invites?cursor=" + rooms.EncodeCursor(rooms.Cursor{JoinedAt: time.Unix(1, 0), RoomID: roomA}),
			token: "tok-alice", status: 400, contains: []string{`"code":"invalid_cursor"`}},
		{name: "an empty invite cursor is 400", method: "GET", path: "/v1/rooms/" + roomA + "/invites?cursor=", token: "tok-alice", status: 400, contains: []string{`"code":"invalid_cursor"`}},
		{name: "a listing limit of 101 is 400", method: "GET", path: "/v1/rooms/" + roomA + "/invites?limit=101", token: "tok-alice", status: 400, contains: []string{`"field":"limit"`}},
		{name: "unknown listing parameters are 400", method: "GET", path: "/v1/rooms/" + roomA + "/invites?all=1", token: "tok-alice", status: 400, contains: []string{`"field":"all"`}},
		{name: "listing a malformed room ID is 400", method: "GET", path: "/v1/rooms/nope/invites", token: "tok-alice", status: 400},
		{name: "users without chat cannot list", method: "GET", path: "/v1/rooms/" + roomA + "/invites", token: "tok-newbie", status: 403},
		{name: "revoking by token is refused before any lookup", method: "DELETE", path: "/v1/rooms/" + roomA + "/invites/" + testToken, token: "tok-alice", status: 400, contains: []string{`"field":"inviteId"`}},
	})
}

// TestInviteGuessingIsLimited spends the failure bucket with invalid
// tokens; then even a valid token is refused until it refills.
func TestInviteGuessingIsLimited(t *testing.T) {
	clock := &fixedClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	h := newHarness(t, func(d *Deps) {
		d.Now = clock.Now
		d.GuessLimits = GuessLimits{AcceptRate: 100, AcceptBurst: 100, FailureRate: 1.0 / 60, FailureBurst: 3}
	})
	bad := "/v1/invites/" + strings.Repeat("b", 43) + ":accept"
	for i := 0; i < 3; i++ {
		if rec := h.do("POST", bad, "tok-alice", "", nil, ""); rec.Code != 404 {
			t.Fatalf("guess %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	good := "/v1/invites/" + testToken + ":accept"
	rec := h.do("POST", good, "tok-alice", "", nil, "")
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("after 3 failures: %d %s", rec.Code, rec.Body)
	}
	if n := len(h.chat.Calls()); n != 3 {
		t.Fatalf("%d Accept calls, want 3 (the refused one must not reach the service)", n)
	}
	// Another user is not affected.
	if rec := h.do("POST", good, "tok-admin", "", nil, ""); rec.Code != 200 {
		t.Fatalf("another user: %d", rec.Code)
	}
	clock.Advance(time.Minute)
	if rec := h.do("POST", good, "tok-alice", "", nil, ""); rec.Code != 200 {
		t.Fatalf("after a refill: %d %s", rec.Code, rec.Body)
	}
	// A successful acceptance does not spend failures.
	if rec := h.do("POST", good, "tok-alice", "", nil, ""); rec.Code != 200 {
		t.Fatalf("again: %d %s", rec.Code, rec.Body)
	}
}

func TestAcceptAttemptsAreLimited(t *testing.T) {
	clock := &fixedClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	h := newHarness(t, func(d *Deps) {
		d.Now = clock.Now
		d.GuessLimits = GuessLimits{AcceptRate: 1.0 / 60, AcceptBurst: 2}
	})
	good := "/v1/invites/" + testToken + ":accept"
	for i, want := range []int{200, 200, 429} {
		if rec := h.do("POST", good, "tok-alice", "", nil, ""); rec.Code != want {
			t.Fatalf("attempt %d: %d, want %d", i, rec.Code, want)
		}
	}
}

func TestRoomManagementRoutes(t *testing.T) {
	room := "/v1/rooms/" + roomA
	runScenarios(t, []scenario{
		{name: "rename", method: "PATCH", path: room, token: "tok-alice", body: `{"title":"New"}`, status: 200, contains: []string{`"id":"` + roomA + `"`}, calls: []string{"SetTitle"}},
		{name: "clearing the title is allowed", method: "PATCH", path: room, token: "tok-alice", body: `{"title":""}`, status: 200, calls: []string{"SetTitle"}},
		{name: "turn slow mode on", method: "PATCH", path: room, token: "tok-alice", body: `{"slowModeSeconds":30}`, status: 200, calls: []string{"SetSlowMode"}},
		{name: "rename and slow mode together", method: "PATCH", path: room, token: "tok-alice", body: `{"title":"x","slowModeSeconds":0}`, status: 200, calls: []string{"SetTitle", "SetSlowMode"}},
		{name: "turn push previews on", method: "PATCH", path: room, token: "tok-alice", body: `{"pushPreview":true}`, status: 200, contains: []string{`"pushPreview":true`}, calls: []string{"SetPushPreview"}},
		{name: "turn push previews off", method: "PATCH", path: room, token: "tok-alice", body: `{"pushPreview":false}`, status: 200, contains: []string{`"pushPreview":false`}, calls: []string{"SetPushPreview"}},
		{name: "a string pushPreview is 400", method: "PATCH", path: room, token: "tok-alice", body: `{"pushPreview":"true"}`, status: 400, contains: []string{`"field":"pushPreview"`, "expected bool"}},
		{name: "a numeric pushPreview is 400", method: "PATCH", path: room, token: "tok-alice", body: `{"pushPreview":1}`, status: 400, contains: []string{`"field":"pushPreview"`}},
		{name: "a null pushPreview is 400", method: "PATCH", path: room, token: "tok-alice", body: `{"pushPreview":null}`, status: 400},
		{name: "a duplicated pushPreview is 400", method: "PATCH", path: room, token: "tok-alice", body: `{"pushPreview":false,"pushPreview":true}`, status: 400},
		{name: "a negative slow mode is 400", method: "PATCH", path: room, token: "tok-alice", body: `{"slowModeSeconds":-1}`, status: 400, contains: []string{`"field":"slowModeSeconds"`}},
		{name: "a slow mode over an hour is 400", method: "PATCH", path: room, token: "tok-alice", body: `{"slowModeSeconds":3601}`, status: 400, contains: []string{`"field":"slowModeSeconds"`}},
		{name: "a fractional slow mode is 400", method: "PATCH", path: room, token: "tok-alice", body: `{"slowModeSeconds":1.5}`, status: 400},
		{name: "an empty patch is 400", method: "PATCH", path: room, token: "tok-alice", body: `{}`, status: 400, contains: []string{`"field":"title"`}},
		{name: "a null title is 400", method: "PATCH", path: room, token: "tok-alice", body: `{"title":null}`, status: 400},
		{name: "a bidi override in the title is 400", method: "PATCH", path: room, token: "tok-alice", body: `{"title":"a\u202Eb"}`, status: 400, contains: []string{`"field":"title"`}},
		{name: "other fields cannot be patched", method: "PATCH", path: room, token: "tok-alice", body: `{"kind":"direct"}`, status: 400, contains: []string{`"field":"kind"`}},
		{name: "promote to admin", method: "PUT", path: room + "/members/bob", token: "tok-alice", body: `{"role":"admin"}`, status: 200, calls: []string{"SetRole"}},
		{name: "transfer ownership", method: "PUT", path: room + "/members/bob", token: "tok-alice", body: `{"role":"owner"}`, status: 200, calls: []string{"SetRole"}},
		{name: "an unknown role is 400", method: "PUT", path: room + "/members/bob", token: "tok-alice", body: `{"role":"moderator"}`, status: 400, contains: []string{`"field":"role"`}},
		{name: "a malformed uid is 400", method: "PUT", path: room + "/members/__x__", token: "tok-alice", body: `{"role":"admin"}`, status: 400, contains: []string{`"code":"invalid_uid"`}},
	})
	h := newHarness(t, nil)
	h.chat.err = rooms.ErrForbidden
	if rec := h.do("PUT", room+"/members/bob", "tok-alice", `{"role":"admin"}`, nil, ""); rec.Code != 403 || !strings.Contains(rec.Body.String(), "room_role_required") {
		t.Fatalf("forbidden: %d %s", rec.Code, rec.Body)
	}
	h.chat.err = rooms.ErrDirectRoomFixed
	if rec := h.do("PATCH", room, "tok-alice", `{"title":"x"}`, nil, ""); rec.Code != 409 {
		t.Fatalf("direct: %d %s", rec.Code, rec.Body)
	}
}

func TestProfileRoutes(t *testing.T) {
	runScenarios(t, []scenario{
		{name: "set a profile", method: "PUT", path: "/v1/me/profile", token: "tok-alice", body: `{"displayName":"Alice","avatarUrl":"https://example.com/a.png"}`, status: 200,
			contains: []string{`"displayName":"Alice"`, `"uid":"alice"`, `"discoverable":false`}, calls: []string{"PutProfile"}},
		{name: "a bidi name is 400", method: "PUT", path: "/v1/me/profile", token: "tok-alice", body: `{"displayName":"\u202Egnp.exe"}`, status: 400, contains: []string{`"field":"displayName"`}},
		{name: "an invisible name is 400", method: "PUT", path: "/v1/me/profile", token: "tok-alice", body: `{"displayName":"\u3164\u200B"}`, status: 400, contains: []string{`"field":"displayName"`}},
		{name: "an http avatar is 400", method: "PUT", path: "/v1/me/profile", token: "tok-alice", body: `{"displayName":"A","avatarUrl":"http://example.com/a.png"}`, status: 400, contains: []string{`"field":"avatarUrl"`}},
		{name: "a missing name is 400", method: "PUT", path: "/v1/me/profile", token: "tok-alice", body: `{}`, status: 400},
		{name: "read own profile", method: "GET", path: "/v1/me/profile", token: "tok-alice", status: 200, contains: []string{`"displayName":"Alice"`}, calls: []string{"GetProfile"}},
		{name: "lookup finds a discoverable user", method: "GET", path: "/v1/users:lookup?email=bob@example.com", token: "tok-alice", status: 200, contains: []string{`{"uid":"bob"}`}, calls: []string{"Lookup"}},
		{name: "lookup without email is 400", method: "GET", path: "/v1/users:lookup", token: "tok-alice", status: 400, contains: []string{`"field":"email"`}},
		{name: "lookup with two emails is 400", method: "GET", path: "/v1/users:lookup?email=a@b.c&email=d@e.f", token: "tok-alice", status: 400},
		{name: "lookup with other parameters is 400", method: "GET", path: "/v1/users:lookup?email=a@b.c&prefix=a", token: "tok-alice", status: 400},
		{name: "users without chat cannot look up", method: "GET", path: "/v1/users:lookup?email=bob@example.com", token: "tok-newbie", status: 403},
	})
}

// TestLookupAnswersAlike: an unknown address and an undiscoverable user
// give byte-identical 404s (the fake knows only bob).
func TestLookupAnswersAlike(t *testing.T) {
	h := newHarness(t, nil)
	a := h.do("GET", "/v1/users:lookup?email=ghost@example.com", "tok-alice", "", nil, "")
	b := h.do("GET", "/v1/users:lookup?email=carol@example.com", "tok-alice", "", nil, "")
	if a.Code != 404 || a.Body.String() != b.Body.String() || !strings.Contains(a.Body.String(), `"code":"user_not_found"`) {
		t.Fatalf("%d %s / %d %s", a.Code, a.Body, b.Code, b.Body)
	}
}

func TestLookupIsLimited(t *testing.T) {
	clock := &fixedClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	h := newHarness(t, func(d *Deps) { d.Now = clock.Now; d.GuessLimits = GuessLimits{LookupRate: 1.0 / 60, LookupBurst: 2} })
	for i, want := range []int{404, 404, 429} {
		if rec := h.do("GET", "/v1/users:lookup?email=x@example.com", "tok-alice", "", nil, ""); rec.Code != want {
			t.Fatalf("lookup %d: %d, want %d", i, rec.Code, want)
		}
	}
	clock.Advance(time.Minute)
	if rec := h.do("GET", "/v1/users:lookup?email=bob@example.com", "tok-alice", "", nil, ""); rec.Code != 200 {
		t.Fatalf("after refill: %d", rec.Code)
	}
}

func TestModerationRoutes(t *testing.T) {
	runScenarios(t, []scenario{
		{name: "block", method: "PUT", path: "/v1/me/blocks/bob", token: "tok-alice", status: 204, calls: []string{"Block"}},
		{name: "unblock", method: "DELETE", path: "/v1/me/blocks/bob", token: "tok-alice", status: 204, calls: []string{"Unblock"}},
		{name: "list blocks", method: "GET", path: "/v1/me/blocks", token: "tok-alice", status: 200, contains: []string{`"uid":"bob"`}, calls: []string{"Blocks"}},
		{name: "block takes no fields", method: "PUT", path: "/v1/me/blocks/bob", token: "tok-alice", body: `{"x":1}`, status: 400},
		{name: "a malformed uid is 400", method: "PUT", path: "/v1/me/blocks/__x__", token: "tok-alice", status: 400, contains: []string{`"code":"invalid_uid"`}},
		{name: "report a message", method: "POST", path: "/v1/rooms/" + roomA + "/reports", token: "tok-alice", body: `{"messageId":"m1","reason":"spam"}`, status: 201, contains: []string{`"id":"r1"`}, calls: []string{"FileReport"}},
		{name: "an unknown reason is 400", method: "POST", path: "/v1/rooms/" + roomA + "/reports", token: "tok-alice", body: `{"messageId":"m1","reason":"meh"}`, status: 400, contains: []string{`"field":"reason"`}},
		{name: "a message path is 400", method: "POST", path: "/v1/rooms/" + roomA + "/reports", token: "tok-alice", body: `{"messageId":"../x","reason":"spam"}`, status: 400, contains: []string{`"field":"messageId"`}},
		{name: "a moderator lists reports", method: "GET", path: "/v1/admin/reports", token: "tok-mod", status: 200, contains: []string{`"text":"spam!"`}, calls: []string{"Reports"}},
		{name: "an admin lists reports", method: "GET", path: "/v1/admin/reports?limit=10", token: "tok-admin", status: 200, calls: []string{"Reports"}},
		{name: "a user cannot list reports", method: "GET", path: "/v1/admin/reports", token: "tok-alice", status: 403, contains: []string{`"code":"moderator_required"`}},
		{name: "a forged cursor is 400", method: "GET", path: "/v1/admin/reports?cursor=!!", token: "tok-mod", status: 400, contains: []string{`"code":"invalid_cursor"`}},
		{name: "limit 201 is 400", method: "GET", path: "/v1/admin/reports?limit=201", token: "tok-mod", status: 400},
		{name: "an admin reads the audit log", method: "GET", path: "/v1/admin/audit", token: "tok-admin", status: 200, contains: []string{`"action":"room.created"`}, calls: []string{"Audit"}},
		{name: "a moderator cannot read the audit log", method: "GET", path: "/v1/admin/audit", token: "tok-mod", status: 403, contains: []string{`"code":"admin_required"`}},
		{name: "a user cannot read the audit log", method: "GET", path: "/v1/admin/audit", token: "tok-alice", status: 403},
	})
	// A moderator demoted since their token was minted loses access at once.
	h := newHarness(t, nil)
	h.claims.roles = map[string]string{"mod": "user"}
	if rec := h.do("GET", "/v1/admin/reports", "tok-mod", "", nil, ""); rec.Code != 403 {
		t.Fatalf("demoted moderator: %d", rec.Code)
	}
}
