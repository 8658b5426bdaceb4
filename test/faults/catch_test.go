package faults_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"firebase.google.com/go/v4/auth"
)

// The invariants can fail: each is shown breaking on a state made bad on
// purpose, so a scenario that passes does so because the state is good,
// not because a check reads nothing.

// goodState is one group room r1 (alice owner, bob member), both indexed,
// with messages; one direct room d1 without owners.
func goodState() state {
	return state{
		rooms: map[string]map[string]any{
			"r1": {"memberCount": int64(2), "kind": "group"},
			"d1": {"memberCount": int64(2), "kind": "direct"},
		},
		members: map[string]map[string]map[string]any{
			"r1": {"alice": {"role": "owner"}, "bob": {"role": "member"}},
			"d1": {"alice": {"role": "member"}, "bob": {"role": "member"}},
		},
		index: map[string]map[string]map[string]any{
			"alice": {"r1": {"role": "owner"}, "d1": {"role": "member"}},
			"bob":   {"r1": {"role": "member"}, "d1": {"role": "member"}},
		},
		messages:   map[string]int{"r1": 3},
		tombstones: map[string]bool{},
		pending:    map[string]bool{},
	}
}

func TestInvariantsCatchBadState(t *testing.T) {
	if errs := violations(goodState(), true); len(errs) != 0 {
		t.Fatalf("the good state breaks invariants: %v", errs)
	}
	cases := []struct {
		name, want string
		spoil      func(*state)
	}{
		{"memberCount", "memberCount 3", func(s *state) { s.rooms["r1"]["memberCount"] = int64(3) }},
		{"room and tombstone", "has a tombstone", func(s *state) { s.tombstones["r1"] = true }},
		{"no owner", "has owners [], want exactly one", func(s *state) {
			s.members["r1"]["alice"]["role"], s.index["alice"]["r1"]["role"] = "admin", "admin"
		}},
		{"two owners", "has owners [alice bob]", func(s *state) {
			s.members["r1"]["bob"]["role"], s.index["bob"]["r1"]["role"] = "owner", "owner"
		}},
		{"empty room", "room r1 exists with no members", func(s *state) {
			delete(s.members, "r1")
			delete(s.index["alice"], "r1")
			delete(s.index["bob"], "r1")
			s.rooms["r1"]["memberCount"] = int64(0)
		}},
		{"members of a missing room", "room r1 is missing", func(s *state) { delete(s.rooms, "r1") }},
		{"member without index", "member bob of room r1 has no index entry", func(s *state) { delete(s.index["bob"], "r1") }},
		{"index role", "index role admin", func(s *state) { s.index["bob"]["r1"]["role"] = "admin" }},
		{"orphaned index entry", "users/carol/rooms/r1 has no member doc", func(s *state) {
			s.index["carol"] = map[string]map[string]any{"r1": {"role": "member"}}
		}},
		{"orphaned messages", "orphaned messages under room gone", func(s *state) { s.messages["gone"] = 1 }},
		{"unswept deletion", "1 deletions not swept", func(s *state) { s.tombstones["gone"] = true }},
		{"banned member", "banned user bob is still a member of r1", func(s *state) { s.banned = []string{"bob"} }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := goodState()
			tc.spoil(&s)
			errs := violations(s, true)
			if !strings.Contains(strings.Join(errs, "\n"), tc.want) {
				t.Fatalf("violations = %v, want one saying %q", errs, tc.want)
			}
		})
	}
	// A pending ban excuses the banned user's memberships.
	s := goodState()
	s.banned, s.pending["bob"] = []string{"bob"}, true
	if errs := violations(s, true); len(errs) != 0 {
		t.Fatalf("a pending ban: %v", errs)
	}
}

// TestAccountInvariantsCatchRemnants deletes an account for real, then
// puts back one remnant at a time (directly, as a buggy deletion would
// leave it) and expects the account check to name it.
func TestAccountInvariantsCatchRemnants(t *testing.T) {
	c := newCluster(t)
	a := c.start(false)
	c.admit(a, "alice", "bob")
	id := c.createRoom(a, "bob", "alice")
	if code, body := c.call(a, "DELETE", "/v1/me", "alice", "", nil); code != 204 {
		t.Fatalf("DELETE /v1/me = %d %s", code, body)
	}
	deleted := map[string]bool{"alice": true}
	c.checkAccounts(deleted)
	c.check(false)

	ctx := context.Background()
	put := func(path string, data map[string]any) func() {
		return func() {
			if _, err := c.direct.Doc(path).Set(ctx, data); err != nil {
				t.Fatal(err)
			}
		}
	}
	del := func(path string) func() {
		return func() {
			if _, err := c.direct.Doc(path).Delete(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	tomb, err := c.direct.Doc("users/alice").Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		want         string
		spoil, clean func()
	}{
		{"document users/alice (not a tombstone)", put("users/alice", map[string]any{"banned": true}), put("users/alice", tomb.Data())},
		{"document users/alice (not a tombstone)", put("users/alice", mergeMap(tomb.Data(), "displayName", "A")), put("users/alice", tomb.Data())},
		{"no tombstone users/alice", del("users/alice"), put("users/alice", tomb.Data())},
		{"document privilegeChanges/alice", put("privilegeChanges/alice", map[string]any{"version": 9}), del("privilegeChanges/alice")},
		{"document profiles/alice", put("profiles/alice", map[string]any{"displayName": "A"}), del("profiles/alice")},
		{"document profileSettings/alice", put("profileSettings/alice", map[string]any{"discoverable": true}), del("profileSettings/alice")},
		{"index entry users/alice/rooms/" + id, put("users/alice/rooms/"+id, map[string]any{"role": "member"}), del("users/alice/rooms/" + id)},
		{"device users/alice/devices/phone", put("users/alice/devices/phone", map[string]any{"uid": "alice", "token": "t"}), del("users/alice/devices/phone")},
		{"block users/alice/blocks/bob", put("users/alice/blocks/bob", map[string]any{}), del("users/alice/blocks/bob")},
		{"lookup entry userLookup/k", put("userLookup/k", map[string]any{"uid": "alice"}), del("userLookup/k")},
		{"membership rooms/" + id + "/members/alice", put("rooms/"+id+"/members/alice", map[string]any{"role": "member"}), del("rooms/" + id + "/members/alice")},
		{"push mute rooms/" + id + "/pushMutes/alice", put("rooms/"+id+"/pushMutes/alice", map[string]any{}), del("rooms/" + id + "/pushMutes/alice")},
		{"read marker rooms/" + id + "/reads/alice", put("rooms/"+id+"/reads/alice", map[string]any{"lastReadAt": time.Now()}), del("rooms/" + id + "/reads/alice")},
		{"typing indicator rooms/" + id + "/typing/alice", put("rooms/"+id+"/typing/alice", map[string]any{"expiresAt": time.Now()}), del("rooms/" + id + "/typing/alice")},
		{"posting record rooms/" + id + "/posting/alice", put("rooms/"+id+"/posting/alice", map[string]any{"lastPostAt": time.Now()}), del("rooms/" + id + "/posting/alice")},
		{"Auth user alice", func() {
			if _, err := c.directAuth.CreateUser(ctx, (&auth.UserToCreate{}).UID("alice")); err != nil {
				t.Fatal(err)
			}
		}, func() {
			if err := c.directAuth.DeleteUser(ctx, "alice"); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range cases {
		tc.spoil()
		errs := c.accountViolations(deleted)
		if len(errs) != 1 || !strings.Contains(errs[0], tc.want) {
			t.Errorf("with %s put back: violations %v", tc.want, errs)
		}
		tc.clean()
	}
	c.checkAccounts(deleted)

	// Answered 204 without any record of the deletion.
	if errs := c.accountViolations(map[string]bool{"alice": true, "bob": true}); len(errs) == 0 || !strings.Contains(strings.Join(errs, "\n"), "bob answered 204 but has no audit record") {
		t.Errorf("a 204 with no record: %v", errs)
	}
	// The room alice was in is untouched for bob (still its owner).
	if s := c.check(false); len(s.members[id]) != 1 || s.members[id]["bob"]["role"] != "owner" {
		t.Fatalf("room %s after the deletion: %v", id, s.members[id])
	}
}

// mergeMap returns a copy of m with k set to v.
func mergeMap(m map[string]any, k string, v any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for key, val := range m {
		out[key] = val
	}
	out[k] = v
	return out
}
