package faults_test

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"cloud.google.com/go/firestore"

	"github.com/roomgate/roomgate/internal/schema"
)

// state is what check read: enough to state every invariant.
type state struct {
	rooms      map[string]map[string]any            // roomId -> room doc
	members    map[string]map[string]map[string]any // roomId -> uid -> member doc
	index      map[string]map[string]map[string]any // uid -> roomId -> index doc
	messages   map[string]int                       // roomId -> messages
	tombstones map[string]bool
	banned     []string
	// pending holds the uids with a privilege change recorded and not yet
	// applied (a privilegeChanges/{uid} marker).
	pending map[string]bool
}

func (c *cluster) read() state {
	c.t.Helper()
	ctx := context.Background()
	s := state{rooms: map[string]map[string]any{}, members: map[string]map[string]map[string]any{},
		index: map[string]map[string]map[string]any{}, messages: map[string]int{}, tombstones: map[string]bool{}, pending: map[string]bool{}}
	all := func(q firestore.Query) []*firestore.DocumentSnapshot {
		docs, err := q.Documents(ctx).GetAll()
		if err != nil {
			c.t.Fatal(err)
		}
		return docs
	}
	for _, d := range all(c.direct.Collection("rooms").Query) {
		s.rooms[d.Ref.ID] = d.Data()
	}
	for _, d := range all(c.direct.CollectionGroup("members").Query) {
		room := d.Ref.Parent.Parent.ID
		if s.members[room] == nil {
			s.members[room] = map[string]map[string]any{}
		}
		s.members[room][d.Ref.ID] = d.Data()
	}
	// Collection group "rooms" is both the top-level rooms and every
	// users/{uid}/rooms; index entries are the ones under a user.
	for _, d := range all(c.direct.CollectionGroup("rooms").Query) {
		if d.Ref.Parent.Parent == nil {
			continue
		}
		uid := d.Ref.Parent.Parent.ID
		if s.index[uid] == nil {
			s.index[uid] = map[string]map[string]any{}
		}
		s.index[uid][d.Ref.ID] = d.Data()
	}
	for _, d := range all(c.direct.CollectionGroup("messages").Select()) {
		s.messages[d.Ref.Parent.Parent.ID]++
	}
	for _, d := range all(c.direct.Collection("deletions").Query) {
		s.tombstones[d.Ref.ID] = true
	}
	for _, d := range all(c.direct.Collection("users").Where("banned", "==", true)) {
		s.banned = append(s.banned, d.Ref.ID)
	}
	for _, d := range all(c.direct.Collection(schema.PrivilegeChanges).Query) {
		s.pending[d.Ref.ID] = true
	}
	return s
}

// check asserts the invariants and returns the state it read.
//
//   - memberCount of every room equals its member documents;
//   - every member has an index entry with its role, and every index entry
//     a member document (no orphaned entries either way);
//   - no member documents under a missing room; a tombstone never
//     coexists with its room;
//   - every live room has members (the last one out deletes it), and a
//     group room exactly one owner among them (an owner who leaves, is
//     banned or deletes their account hands the room on);
//   - messages exist only under a live room or a tombstone; with settled,
//     no tombstones remain (every deletion has been swept);
//   - every user recorded as banned is in no room, unless the ban is still
//     pending: its privilegeChanges/{uid} marker says the change was
//     recorded and not yet applied (the request answered 503
//     change_pending, or died), and a retry or the reconciler finishes it.
func (c *cluster) check(settled bool) state {
	c.t.Helper()
	s := c.read()
	if errs := violations(s, settled); len(errs) > 0 {
		c.t.Fatalf("invariants broken:\n%v", errs)
	}
	return s
}

// violations states the invariants of check over s, sorted; none is nil.
func violations(s state, settled bool) []string {
	var errs []string
	fail := func(format string, a ...any) { errs = append(errs, fmt.Sprintf(format, a...)) }
	for id, r := range s.rooms {
		mc, _ := r["memberCount"].(int64)
		if int(mc) != len(s.members[id]) {
			fail("room %s: memberCount %d, %d member docs", id, mc, len(s.members[id]))
		}
		if s.tombstones[id] {
			fail("room %s exists and has a tombstone", id)
		}
		if len(s.members[id]) == 0 {
			fail("room %s exists with no members", id)
		} else if owners := ownersOf(s.members[id]); r["kind"] != schema.KindDirect && len(owners) != 1 {
			fail("room %s has owners %v, want exactly one", id, owners)
		}
	}
	for id, ms := range s.members {
		if s.rooms[id] == nil {
			fail("room %s is missing but has %d member docs", id, len(ms))
		}
		for uid, m := range ms {
			e := s.index[uid][id]
			if e == nil {
				fail("member %s of room %s has no index entry", uid, id)
			} else if e["role"] != m["role"] {
				fail("member %s of room %s: index role %v, member role %v", uid, id, e["role"], m["role"])
			}
		}
	}
	for uid, es := range s.index {
		for id := range es {
			if s.members[id][uid] == nil {
				fail("index entry users/%s/rooms/%s has no member doc", uid, id)
			}
		}
	}
	for id, n := range s.messages {
		if s.rooms[id] == nil && !s.tombstones[id] {
			fail("%d orphaned messages under room %s (no room, no tombstone)", n, id)
		}
	}
	if settled && len(s.tombstones) > 0 {
		fail("%d deletions not swept", len(s.tombstones))
	}
	for _, uid := range s.banned {
		if s.pending[uid] {
			continue
		}
		if n := len(s.index[uid]); n > 0 {
			fail("banned user %s still has %d index entries", uid, n)
		}
		for id, ms := range s.members {
			if ms[uid] != nil {
				fail("banned user %s is still a member of %s", uid, id)
			}
		}
	}
	sort.Strings(errs)
	return errs
}

// settle waits for every deletion to be swept (a sweeper must be
// running), then checks every invariant.
func (c *cluster) settle(t testing.TB) state {
	t.Helper()
	waitFor(t, "every deletion swept", func() bool { return c.tombstones() == 0 })
	return c.check(true)
}

// ownersOf lists the members whose role is owner, sorted.
func ownersOf(members map[string]map[string]any) []string {
	var out []string
	for uid, m := range members {
		if m["role"] == schema.RoomRoleOwner {
			out = append(out, uid)
		}
	}
	sort.Strings(out)
	return out
}
