package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"firebase.google.com/go/v4/auth"

	"github.com/roomgate/roomgate/internal/app"
)

// TestAdminRolesBansAndClaims covers the admin routes, the admin
// subcommand's bootstrap (app.GrantRole, with the service's own
// configuration), bans end to end and the claims bookkeeping.
func TestAdminRolesBansAndClaims(t *testing.T) {
	s := newSuite(t, nil)
	s.admit("alice", "bob", "mallory", "carol")
	s.user("boss", nil)
	ctx := context.Background()

	// Bootstrap the first admin the way `roomgate admin grant-role` does.
	cfg := svcConfig(t, s)
	if _, err := app.GrantRole(ctx, cfg, "boss", "admin", "e2e"); err != nil {
		t.Fatal(err)
	}
	if code, body := s.call("POST", "/v1/me/claims", "boss", "", nil); code != 200 {
		t.Fatalf("boss admit: %d %s", code, body)
	}
	s.signIn("boss")

	s.run(t, []step{
		{name: "a plain user cannot set roles", method: "PUT", path: "/v1/admin/users/bob/role", token: "alice", body: `{"role":"admin"}`, status: 403, contains: []string{`"code":"admin_required"`}},
		{name: "the bootstrapped admin sets a role", method: "PUT", path: "/v1/admin/users/bob/role", token: "boss", body: `{"role":"moderator"}`, status: 200, contains: []string{`"role":"moderator"`, `"chat":true`, `"uid":"bob"`}},
		{name: "boss makes carol an admin", method: "PUT", path: "/v1/admin/users/carol/role", token: "boss", body: `{"role":"admin"}`, status: 200, contains: []string{`"role":"admin"`}},
		{name: "carol, with a refreshed token, uses an admin route", method: "PUT", path: "/v1/admin/users/alice/role", token: "carol", body: `{"role":"user"}`, status: 200,
			before: func(s *suite) { s.signIn("carol") }},
		{name: "boss demotes carol", method: "PUT", path: "/v1/admin/users/carol/role", token: "boss", body: `{"role":"user"}`, status: 200, contains: []string{`"role":"user"`}},
		{name: "carol's still-valid admin token no longer works", method: "PUT", path: "/v1/admin/users/alice/role", token: "carol", body: `{"role":"admin"}`, status: 403, contains: []string{`"code":"admin_required"`}},
		{name: "an unknown role is 400", method: "PUT", path: "/v1/admin/users/bob/role", token: "boss", body: `{"role":"god"}`, status: 400},
		{name: "an unknown user is 404", method: "PUT", path: "/v1/admin/users/ghost/role", token: "boss", body: `{"role":"user"}`, status: 404, contains: []string{`"code":"user_not_found"`}},
		{name: "a malformed uid is 400", method: "PUT", path: "/v1/admin/users/__x__/role", token: "boss", body: `{"role":"user"}`, status: 400},
		{name: "an admin cannot ban themselves", method: "POST", path: "/v1/admin/users/boss/ban", token: "boss", status: 400},

		{name: "mallory creates a room with alice", method: "POST", path: "/v1/rooms", token: "mallory", body: `{"members":["alice"]}`, status: 201, save: "mroom"},
		{name: "alice creates a room with mallory and carol", method: "POST", path: "/v1/rooms", token: "alice", body: `{"members":["mallory","carol"]}`, status: 201, save: "aroom"},
		{name: "mallory is banned and removed from both rooms", method: "POST", path: "/v1/admin/users/mallory/ban", token: "boss", status: 200,
			contains: []string{`"banned":true`, `"roomsLeft":2`}, absent: []string{`"chat":true`},
			// Revocation has one-second granularity: let mallory's token age.
			before: func(s *suite) { time.Sleep(1100 * time.Millisecond) }},
		{name: "mallory's old token cannot mutate", method: "POST", path: "/v1/rooms", token: "mallory", body: `{}`, status: 401, contains: []string{`"code":"token_revoked"`}},
		{name: "with a new token mallory is banned", method: "GET", path: "/v1/rooms", token: "mallory", status: 403, contains: []string{`"code":"banned"`},
			before: func(s *suite) { s.signIn("mallory") }},
		{name: "a banned user cannot be re-admitted", method: "POST", path: "/v1/me/claims", token: "mallory", status: 403, contains: []string{`"code":"banned"`}},
		{name: "alice owns mallory's old room now", method: "GET", path: "/v1/rooms/{mroom}", token: "alice", status: 200, contains: []string{`{"uid":"alice","role":"owner"`, `"memberCount":1`}, absent: []string{`"uid":"mallory"`}},
		{name: "alice's room lost mallory", method: "GET", path: "/v1/rooms/{aroom}", token: "alice", status: 200, contains: []string{`"memberCount":2`}, absent: []string{`"uid":"mallory"`}},
		{name: "a banned user cannot be added", method: "POST", path: "/v1/rooms", token: "alice", body: `{"members":["mallory"]}`, status: 422, contains: []string{`"uids":["mallory"]`}},
		{name: "unban", method: "DELETE", path: "/v1/admin/users/mallory/ban", token: "boss", status: 200, absent: []string{`"banned"`}},
		{name: "after unban mallory asks for admission again", method: "POST", path: "/v1/me/claims", token: "mallory", status: 200, contains: []string{`"chat":true`, `"claimsVersion":4`},
			before: func(s *suite) { s.signIn("mallory") },
			check: func(t *testing.T, s *suite, _ string, _ http.Header) {
				docs, err := s.fs.Collection("audit").Where("target", "==", "mallory").Documents(context.Background()).GetAll()
				if err != nil {
					t.Fatal(err)
				}
				actions := map[string]int{}
				for _, d := range docs {
					actions[d.Data()["action"].(string)]++
					if d.Data()["requestId"] == "" {
						t.Error("audit record without request ID")
					}
				}
				if actions["claims.chat_granted"] != 2 || actions["user.banned"] != 1 || actions["user.unbanned"] != 1 {
					t.Fatalf("audit actions %v", actions)
				}
			}},
		{name: "a disabled user is 401 user_disabled", method: "POST", path: "/v1/rooms", token: "carol", body: `{}`, status: 401, contains: []string{`"code":"user_disabled"`},
			before: func(s *suite) {
				if _, err := s.auth.UpdateUser(context.Background(), "carol", (&auth.UserToUpdate{}).Disabled(true)); err != nil {
					s.t.Fatal(err)
				}
			}},
	})
}

func TestAdmissionRequiresVerifiedEmailWhenConfigured(t *testing.T) {
	s := newSuite(t, func(c *configT) { c.RequireEmailVerified = true })
	s.user("unverified", (&auth.UserToCreate{}).Email("u@example.com"))
	s.user("verified", (&auth.UserToCreate{}).Email("v@example.com").EmailVerified(true))
	s.run(t, []step{
		{name: "unverified email is refused", method: "POST", path: "/v1/me/claims", token: "unverified", status: 403, contains: []string{`"code":"email_not_verified"`}},
		{name: "verified email is admitted", method: "POST", path: "/v1/me/claims", token: "verified", status: 200, contains: []string{`"chat":true`}},
	})
}
