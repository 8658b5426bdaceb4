package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/roomgate/roomgate/internal/authn/authntest"
	"github.com/roomgate/roomgate/internal/claims"
	"github.com/roomgate/roomgate/internal/rooms"
)

const roomA = "AAAAAAAAAAAAAAAAAAAAAA"

// harness is New with a fake verifier and fake services.
type harness struct {
	e      *echo.Echo
	srv    *server
	rooms  *fakeRooms
	claims *fakeClaims
	chat   *fakeChat
	v      *authntest.Verifier
	m      *Metrics
}

func newHarness(t testing.TB, mod func(*Deps)) *harness {
	t.Helper()
	v := &authntest.Verifier{}
	v.Add("tok-alice", "alice", map[string]any{"chat": true})
	v.Add("tok-newbie", "newbie", nil)
	v.Add("tok-banned", "mallory", map[string]any{"chat": true, "banned": true})
	v.Add("tok-admin", "root", map[string]any{"chat": true, "role": "admin"})
	v.Add("tok-mod", "mod", map[string]any{"chat": true, "role": "moderator"})
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	fr := &fakeRooms{created: true, room: rooms.Room{ID: roomA, Title: "t", Kind: rooms.KindGroup, CreatedBy: "alice", CreatedAt: now, MemberCount: 1,
		Members: []rooms.Member{{UID: "alice", Role: rooms.RoleOwner, AddedBy: "alice", JoinedAt: now}}}}
	fc := &fakeClaims{}
	m := NewMetrics()
	fch := &fakeChat{room: fr.room, lookup: map[string]string{"bob@example.com": "bob"}}
	d := Deps{Verifier: v, Rooms: fr, Claims: fc, Metrics: m, Invites: fch, RoomAdmin: fch, Profiles: fch, Moderation: fch}
	if mod != nil {
		mod(&d)
	}
	srv, e := newServer(d)
	return &harness{e: e, srv: srv, rooms: fr, claims: fc, chat: fch, v: v, m: m}
}

// scenario is one request and what must come back (pocketbase's
// ApiScenario).
type scenario struct {
	name     string
	method   string
	path     string
	token    string
	body     string
	ctype    string // default application/json when body is set
	headers  map[string]string
	status   int
	contains []string
	absent   []string
	// calls are the domain calls expected, in order; nil means none.
	calls []string
}

func (h *harness) do(method, path, token, body string, headers map[string]string, ctype string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		if ctype == "" {
			ctype = "application/json"
		}
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.e.ServeHTTP(rec, req)
	return rec
}

func runScenarios(t *testing.T, cases []scenario) {
	t.Helper()
	for _, sc := range cases {
		t.Run(sc.name, func(t *testing.T) {
			h := newHarness(t, nil)
			rec := h.do(sc.method, sc.path, sc.token, sc.body, sc.headers, sc.ctype)
			got := rec.Body.String()
			if rec.Code != sc.status {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, sc.status, got)
			}
			for _, s := range sc.contains {
				if !strings.Contains(got, s) {
					t.Errorf("body lacks %q: %s", s, got)
				}
			}
			for _, s := range sc.absent {
				if strings.Contains(got, s) {
					t.Errorf("body has %q: %s", s, got)
				}
			}
			if rec.Code >= 400 && rec.Header().Get("Content-Type") != ProblemContentType {
				t.Errorf("error Content-Type = %q", rec.Header().Get("Content-Type"))
			}
			calls := append(append(h.rooms.Calls(), h.claims.calls...), h.chat.Calls()...)
			if len(calls) == 0 {
				calls = nil
			}
			if !reflect.DeepEqual(calls, sc.calls) {
				t.Errorf("domain calls = %v, want %v", calls, sc.calls)
			}
		})
	}
}

func TestAuthenticationAndAdmission(t *testing.T) {
	runScenarios(t, []scenario{
		{name: "no token is 401 missing_token", method: "GET", path: "/v1/rooms", status: 401, contains: []string{`"code":"missing_token"`}},
		{name: "an unknown token is 401 invalid_token", method: "GET", path: "/v1/rooms", token: "forged", status: 401, contains: []string{`"code":"invalid_token"`}, absent: []string{"forged"}},
		{name: "a token without chat cannot list rooms", method: "GET", path: "/v1/rooms", token: "tok-newbie", status: 403, contains: []string{`"code":"not_admitted"`}},
		{name: "a banned token cannot create rooms", method: "POST", path: "/v1/rooms", token: "tok-banned", body: `{}`, status: 403, contains: []string{`"code":"banned"`}},
		{name: "a token without chat may ask for admission", method: "POST", path: "/v1/me/claims", token: "tok-newbie", status: 200, contains: []string{`"refreshIdToken":true`, `"chat":true`, `"tier":"gold"`}, calls: []string{"Admit"}},
		{name: "admission takes {} too", method: "POST", path: "/v1/me/claims", token: "tok-newbie", body: `{}`, status: 200, calls: []string{"Admit"}},
		{name: "admission refuses a body with fields", method: "POST", path: "/v1/me/claims", token: "tok-newbie", body: `{"chat":true}`, status: 400, contains: []string{`"field":"chat"`}},
		{name: "admin routes refuse plain users", method: "PUT", path: "/v1/admin/users/bob/role", token: "tok-alice", body: `{"role":"admin"}`, status: 403, contains: []string{`"code":"admin_required"`}},
		{name: "admin routes refuse moderators", method: "POST", path: "/v1/admin/users/bob/ban", token: "tok-mod", status: 403, contains: []string{`"code":"admin_required"`}},
	})
}

func TestCreateRoomInput(t *testing.T) {
	tooMany := make([]string, 100)
	for i := range tooMany {
		tooMany[i] = "u" + strings.Repeat("x", i%5) + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	tooManyJSON, _ := json.Marshal(map[string]any{"members": tooMany})
	ok := []string{"Create"}
	runScenarios(t, []scenario{
		{name: "a valid group room is 201 with Location", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"members":["bob"],"title":"hi"}`, status: 201, contains: []string{`"id":"` + roomA + `"`, `"role":"owner"`}, calls: ok},
		{name: "a room with no other members is fine", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{}`, status: 201, calls: ok},
		{name: "120 multi-byte characters fit", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"title":"` + strings.Repeat("é", 120) + `"}`, status: 201, calls: ok},
		{name: "121 characters do not", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"title":"` + strings.Repeat("é", 121) + `"}`, status: 400, contains: []string{`"field":"title"`}},
		{name: "a blank title is refused", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"title":"   "}`, status: 400, contains: []string{`"field":"title"`}},
		{name: "control characters are refused", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"title":"a\u0007b"}`, status: 400, contains: []string{`"field":"title"`}},
		{name: "unknown fields are refused", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"title":"x","color":"red"}`, status: 400, contains: []string{`"code":"invalid_field"`, `"field":"color"`}},
		{name: "wrong types are refused", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"title":5}`, status: 400, contains: []string{`"field":"title"`}},
		{name: "members must be an array", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"members":"bob"}`, status: 400, contains: []string{`"field":"members"`}},
		{name: "member uids must be strings", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"members":[1]}`, status: 400},
		{name: "duplicate members are refused", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"members":["bob","bob"]}`, status: 400, contains: []string{"listed twice"}},
		{name: "the caller cannot list themselves", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"members":["alice"]}`, status: 400},
		{name: "malformed uids are refused", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"members":["a/b"]}`, status: 400, contains: []string{`"field":"members"`}},
		{name: "too many members are refused", method: "POST", path: "/v1/rooms", token: "tok-alice", body: string(tooManyJSON), status: 400, contains: []string{"at most 99"}},
		{name: "an unknown kind is refused", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"kind":"secret"}`, status: 400, contains: []string{`"field":"kind"`}},
		{name: "a direct room needs exactly one other member", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"kind":"direct","members":["bob","carol"]}`, status: 400},
		{name: "a direct room with one other member is fine", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"kind":"direct","members":["bob"]}`, status: 201, calls: ok},
		{name: "duplicate JSON keys are refused", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"title":"a","title":"b"}`, status: 400, contains: []string{"duplicate key"}},
		{name: "keys differing only in case are refused, not merged", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"members":["bob"],"MEMBERS":["eve"],"kind":"group"}`, status: 400, contains: []string{"invalid_field", "MEMBERS"}},
		{name: "a key in another case is not taken for the field", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"Members":["bob"],"kind":"group"}`, status: 400, contains: []string{"case-sensitive", "Members"}},
		{name: "a key matching a field only by Unicode folding is refused", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"memberſ":["bob"],"kind":"group"}`, status: 400, contains: []string{"invalid_field"}},
		{name: "case variants of one key in an empty-body route are refused", method: "POST", path: "/v1/me/claims", token: "tok-newbie", body: `{"X":1}`, status: 400, contains: []string{"invalid_field"}},
		{name: "trailing data is refused", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"title":"a"} {}`, status: 400, contains: []string{"after the JSON object"}},
		{name: "explicit nulls are refused", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"members":null}`, status: 400},
		{name: "a top-level array is refused", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `[]`, status: 400},
		{name: "malformed JSON is refused", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"title":`, status: 400, contains: []string{`"code":"invalid_request"`}},
		{name: "deep nesting is refused", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"members":` + strings.Repeat("[", 20) + strings.Repeat("]", 20) + `}`, status: 400, contains: []string{"nested too deeply"}},
		{name: "an empty body is refused", method: "POST", path: "/v1/rooms", token: "tok-alice", status: 400},
		{name: "invalid UTF-8 in a title is refused, not replaced", method: "POST", path: "/v1/rooms", token: "tok-alice", body: "{\"title\":\"a\xff\xfeb\"}", status: 400, contains: []string{"UTF-8"}},
		{name: "a lone high surrogate escape is refused", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"title":"a\ud800b"}`, status: 400, contains: []string{"surrogate"}},
		{name: "a lone low surrogate escape is refused", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"title":"\udc00"}`, status: 400, contains: []string{"surrogate"}},
		{name: "a reversed surrogate pair is refused", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"title":"\udc00\ud800"}`, status: 400},
		{name: "a surrogate escape in a key is refused", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"ti\ud800tle":"x"}`, status: 400},
		{name: "a proper surrogate pair is fine", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"title":"\ud83d\ude00 \\ud800 \u00e9"}`, status: 201, calls: ok},
		{name: "a body over 64 KiB is 413", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{"title":"` + strings.Repeat("a", 70<<10) + `"}`, status: 413, contains: []string{`"code":"body_too_large"`}},
		{name: "a non-JSON content type is 415", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{}`, ctype: "text/plain", status: 415},
		{name: "an Idempotency-Key with spaces is refused", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{}`, headers: map[string]string{"Idempotency-Key": "a b"}, status: 400, contains: []string{`"code":"invalid_idempotency_key"`}},
		{name: "an overlong Idempotency-Key is refused", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{}`, headers: map[string]string{"Idempotency-Key": strings.Repeat("k", 256)}, status: 400},
		{name: "a good Idempotency-Key passes", method: "POST", path: "/v1/rooms", token: "tok-alice", body: `{}`, headers: map[string]string{"Idempotency-Key": "550e8400-e29b-41d4-a716-446655440000"}, status: 201, calls: ok},
	})
}

func TestPathAndQueryValidation(t *testing.T) {
	runScenarios(t, []scenario{
		{name: "a short room ID is 400 before any lookup", method: "GET", path: "/v1/rooms/abc", token: "tok-alice", status: 400, contains: []string{`"code":"invalid_room_id"`}},
		{name: "a room ID with _ is 400", method: "GET", path: "/v1/rooms/AAAAAAAAAAAAAAAAAAAAA_", token: "tok-alice", status: 400},
		{name: "a room ID that is too long is 400", method: "DELETE", path: "/v1/rooms/" + roomA + "A", token: "tok-alice", status: 400},
		{name: "add members validates the room ID", method: "POST", path: "/v1/rooms/x/members", token: "tok-alice", body: `{"members":["bob"]}`, status: 400},
		{name: "add members needs a member", method: "POST", path: "/v1/rooms/" + roomA + "/members", token: "tok-alice", body: `{"members":[]}`, status: 400},
		{name: "add members refuses unknown fields", method: "POST", path: "/v1/rooms/" + roomA + "/members", token: "tok-alice", body: `{"members":["bob"],"role":"admin"}`, status: 400},
		{name: "add members goes through", method: "POST", path: "/v1/rooms/" + roomA + "/members", token: "tok-alice", body: `{"members":["bob"]}`, status: 200, calls: []string{"AddMembers"}},
		{name: "a reserved uid is 400", method: "DELETE", path: "/v1/rooms/" + roomA + "/members/__x__", token: "tok-alice", status: 400, contains: []string{`"code":"invalid_uid"`}},
		{name: "a good removal goes through", method: "DELETE", path: "/v1/rooms/" + roomA + "/members/bob", token: "tok-alice", status: 200, contains: []string{`"roomDeleted":false`}, calls: []string{"RemoveMember"}},
		{name: "delete goes through", method: "DELETE", path: "/v1/rooms/" + roomA, token: "tok-alice", status: 204, calls: []string{"Delete"}},
		{name: "get goes through", method: "GET", path: "/v1/rooms/" + roomA, token: "tok-alice", status: 200, contains: []string{`"memberCount":1`}, calls: []string{"Get"}},
		{name: "limit 0 is 400", method: "GET", path: "/v1/rooms?limit=0", token: "tok-alice", status: 400, contains: []string{`"field":"limit"`}},
		{name: "limit 101 is 400", method: "GET", path: "/v1/rooms?limit=101", token: "tok-alice", status: 400},
		{name: "limit with a leading zero is 400", method: "GET", path: "/v1/rooms?limit=05", token: "tok-alice", status: 400},
		{name: "a non-numeric limit is 400", method: "GET", path: "/v1/rooms?limit=ten", token: "tok-alice", status: 400},
		{name: "an empty limit is 400", method: "GET", path: "/v1/rooms?limit=", token: "tok-alice", status: 400},
		{name: "unknown query parameters are 400", method: "GET", path: "/v1/rooms?order=asc", token: "tok-alice", status: 400, contains: []string{`"field":"order"`}},
		{name: "a repeated parameter is 400", method: "GET", path: "/v1/rooms?limit=1&limit=2", token: "tok-alice", status: 400},
		{name: "a garbage cursor is 400", method: "GET", path: "/v1/rooms?cursor=!!", token: "tok-alice", status: 400, contains: []string{`"code":"invalid_cursor"`}},
		{name: "a well-formed request lists", method: "GET", path: "/v1/rooms?limit=5", token: "tok-alice", status: 200, contains: []string{`"rooms":[]`}, calls: []string{"List"}},
		{name: "a bad role is 400", method: "PUT", path: "/v1/admin/users/bob/role", token: "tok-admin", body: `{"role":"god"}`, status: 400, contains: []string{`"field":"role"`}},
		{name: "a good role is set", method: "PUT", path: "/v1/admin/users/bob/role", token: "tok-admin", body: `{"role":"moderator"}`, status: 200, contains: []string{`"uid":"bob"`}, calls: []string{"SetRole:moderator"}},
		{name: "an admin cannot ban themselves", method: "POST", path: "/v1/admin/users/root/ban", token: "tok-admin", status: 400},
		{name: "a ban removes from rooms", method: "POST", path: "/v1/admin/users/bob/ban", token: "tok-admin", status: 200, contains: []string{`"roomsLeft":3`}, calls: []string{"Ban"}},
		{name: "an unban", method: "DELETE", path: "/v1/admin/users/bob/ban", token: "tok-admin", status: 200, calls: []string{"Unban"}},
		{name: "a ban with a body field is 400", method: "POST", path: "/v1/admin/users/bob/ban", token: "tok-admin", body: `{"why":"x"}`, status: 400},
		{name: "an unknown route is a problem 404", method: "GET", path: "/v2/rooms", status: 404, contains: []string{`"code":"not_found"`}},
		{name: "a wrong method is a problem 405", method: "PATCH", path: "/healthz", status: 405, contains: []string{`"code":"method_not_allowed"`}},
	})
}

func TestDomainErrorsMapToStableCodes(t *testing.T) {
	cases := []struct {
		err    error
		status int
		code   string
	}{
		{rooms.ErrNotFound, 404, "room_not_found"},
		{rooms.ErrMemberNotFound, 404, "member_not_found"},
		{rooms.ErrForbidden, 403, "room_role_required"},
		{rooms.ErrMemberCap, 409, "member_cap_reached"},
		{rooms.ErrDirectRoomFixed, 409, "direct_room_fixed"},
		{rooms.ErrIdempotencyMismatch, 422, "idempotency_key_reused"},
		{rooms.ErrContention, 503, "contention"},
		{fmt.Errorf("%w: %w", claims.ErrChangePending, context.DeadlineExceeded), 503, "change_pending"},
		{&rooms.UnavailableMembersError{UIDs: []string{"ghost"}}, 422, "members_unavailable"},
		{errString("database on fire"), 500, "internal"},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			h := newHarness(t, nil)
			h.rooms.err = c.err
			rec := h.do("GET", "/v1/rooms/"+roomA, "tok-alice", "", nil, "")
			if rec.Code != c.status {
				t.Fatalf("status = %d, want %d", rec.Code, c.status)
			}
			var p Problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
				t.Fatal(err)
			}
			if p.Code != c.code || p.Status != c.status || p.Type != "urn:roomgate:problem:"+c.code || p.Title == "" {
				t.Fatalf("problem = %+v", p)
			}
			if strings.Contains(rec.Body.String(), "fire") {
				t.Fatal("an internal error message reached the client")
			}
			if c.status == 503 && rec.Header().Get("Retry-After") == "" {
				t.Fatal("503 without Retry-After")
			}
		})
	}
}

func TestDemotedAdminIsRefusedDespiteAnOldToken(t *testing.T) {
	h := newHarness(t, nil)
	h.claims.roles = map[string]string{"root": "user"}
	rec := h.do("PUT", "/v1/admin/users/bob/role", "tok-admin", `{"role":"admin"}`, nil, "")
	if rec.Code != 403 || !strings.Contains(rec.Body.String(), `"code":"admin_required"`) {
		t.Fatalf("demoted admin = %d %s", rec.Code, rec.Body)
	}
	if len(h.claims.calls) != 0 {
		t.Fatalf("calls %v", h.claims.calls)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func TestRevocationIsCheckedOnMutationsOnly(t *testing.T) {
	h := newHarness(t, nil)
	h.v.Revoke("alice")
	if rec := h.do("GET", "/v1/rooms", "tok-alice", "", nil, ""); rec.Code != 200 {
		t.Fatalf("GET with a revoked token = %d, want 200 (local check only)", rec.Code)
	}
	rec := h.do("POST", "/v1/rooms", "tok-alice", `{}`, nil, "")
	if rec.Code != 401 || !strings.Contains(rec.Body.String(), `"code":"token_revoked"`) {
		t.Fatalf("POST with a revoked token = %d %s", rec.Code, rec.Body)
	}
	h.v.Disable("alice")
	rec = h.do("DELETE", "/v1/rooms/"+roomA, "tok-alice", "", nil, "")
	if rec.Code != 401 || !strings.Contains(rec.Body.String(), `"code":"user_disabled"`) {
		t.Fatalf("DELETE by a disabled user = %d %s", rec.Code, rec.Body)
	}
	if len(h.rooms.Calls()) != 1 {
		t.Fatalf("calls = %v, want only the GET's List", h.rooms.Calls())
	}
}

func TestIdempotencyKeyHashesCanonicalBody(t *testing.T) {
	h := newHarness(t, nil)
	key := map[string]string{"Idempotency-Key": "k1"}
	h.do("POST", "/v1/rooms", "tok-alice", `{"title":"x","members":["bob"]}`, key, "")
	first := h.rooms.lastIdem
	h.do("POST", "/v1/rooms", "tok-alice", "{ \"members\" : [\"bob\"],\n \"title\":\"x\", \"kind\":\"group\" }", key, "")
	second := h.rooms.lastIdem
	h.do("POST", "/v1/rooms", "tok-alice", `{"title":"y","members":["bob"]}`, key, "")
	third := h.rooms.lastIdem
	if first == nil || second == nil || third == nil {
		t.Fatal("Idempotency-Key did not reach the service")
	}
	if first.DocID != second.DocID || first.BodyHash != second.BodyHash {
		t.Fatal("the same request formatted differently hashed differently")
	}
	if third.BodyHash == first.BodyHash || third.DocID != first.DocID {
		t.Fatal("a different body must keep the record ID and change the body hash")
	}
	if strings.Contains(first.DocID, "k1") {
		t.Fatal("the raw key is part of the record ID")
	}
	// Another user with the same key gets another record.
	h.do("POST", "/v1/rooms", "tok-admin", `{"title":"x","members":["bob"]}`, key, "")
	if h.rooms.lastIdem.DocID == first.DocID {
		t.Fatal("two users' keys share a record")
	}
}

func TestReplayIsSentVerbatim(t *testing.T) {
	h := newHarness(t, nil)
	h.rooms.replay = &rooms.StoredResponse{Status: 201, Body: []byte(`{"id":"remembered"}`)}
	rec := h.do("POST", "/v1/rooms", "tok-alice", `{}`, map[string]string{"Idempotency-Key": "k"}, "")
	if rec.Code != 201 || rec.Body.String() != `{"id":"remembered"}` || rec.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay = %d %q %q", rec.Code, rec.Body, rec.Header().Get("Idempotent-Replayed"))
	}
}

func TestExistingDirectRoomIs200(t *testing.T) {
	h := newHarness(t, nil)
	h.rooms.created = false
	rec := h.do("POST", "/v1/rooms", "tok-alice", `{"kind":"direct","members":["bob"]}`, nil, "")
	if rec.Code != 200 || rec.Header().Get("Location") != "" {
		t.Fatalf("existing direct room = %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
}

func TestListPassesLimitAndCursor(t *testing.T) {
	h := newHarness(t, nil)
	cur := rooms.EncodeCursor(rooms.Cursor{JoinedAt: time.Unix(100, 0), RoomID: roomA})
	h.rooms.page = rooms.Page{Rooms: []rooms.Entry{{RoomID: roomA, Title: "t", Kind: "group", Role: "owner", JoinedAt: time.Unix(100, 0).UTC()}}, Next: "NEXT"}
	rec := h.do("GET", "/v1/rooms?limit=7&cursor="+cur, "tok-alice", "", nil, "")
	if rec.Code != 200 {
		t.Fatalf("status %d %s", rec.Code, rec.Body)
	}
	if h.rooms.lastList.limit != 7 || h.rooms.lastList.cursor != cur {
		t.Fatalf("List got limit %d cursor %q", h.rooms.lastList.limit, h.rooms.lastList.cursor)
	}
	if !strings.Contains(rec.Body.String(), `"next":"NEXT"`) || !strings.Contains(rec.Body.String(), `"id":"`+roomA+`"`) {
		t.Fatalf("body %s", rec.Body)
	}
}

func TestRequestIDIsFreshAndNotTakenFromTheClient(t *testing.T) {
	h := newHarness(t, nil)
	rec := h.do("GET", "/healthz", "", "", map[string]string{"X-Request-Id": "forged"}, "")
	id := rec.Header().Get("X-Request-Id")
	if id == "" || id == "forged" || len(id) != 24 {
		t.Fatalf("X-Request-Id = %q", id)
	}
}

func TestHealthzAlwaysOK(t *testing.T) {
	h := newHarness(t, func(d *Deps) {
		d.Ready = []Check{{Name: "firestore", Func: func(ctx2 contextT) error { return errString("down") }}}
	})
	if rec := h.do("GET", "/healthz", "", "", nil, ""); rec.Code != 200 {
		t.Fatalf("healthz = %d", rec.Code)
	}
	rec := h.do("GET", "/readyz", "", "", nil, "")
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), `"firestore":"unavailable"`) || strings.Contains(rec.Body.String(), "down") {
		t.Fatalf("readyz = %d %s", rec.Code, rec.Body)
	}
}
