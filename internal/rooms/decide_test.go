package rooms

import (
	"errors"
	"testing"
	"time"
)

func TestMayAdd(t *testing.T) {
	cases := []struct {
		kind Kind
		role Role
		want error
	}{
		{KindGroup, RoleOwner, nil},
		{KindGroup, RoleAdmin, nil},
		{KindGroup, RoleMember, ErrForbidden},
		{KindGroup, "", ErrNotFound},
		{KindGroup, "moderator", ErrForbidden}, // an unknown stored role is not a privilege
		{KindDirect, RoleOwner, ErrDirectRoomFixed},
		{KindDirect, RoleAdmin, ErrDirectRoomFixed},
		{KindDirect, RoleMember, ErrForbidden}, // a plain member does not learn the kind
		{KindDirect, "", ErrNotFound},          // nor does a non-member
	}
	for _, c := range cases {
		if got := mayAdd(c.kind, c.role); !errors.Is(got, c.want) || (got == nil) != (c.want == nil) {
			t.Errorf("mayAdd(%s, %q) = %v, want %v", c.kind, c.role, got, c.want)
		}
	}
}

func TestFitsCap(t *testing.T) {
	cases := []struct {
		count, n, max int
		want          error
	}{
		{1, 9, 10, nil},
		{1, 10, 10, ErrMemberCap},
		{10, 0, 10, nil},
		{10, 1, 10, ErrMemberCap},
		{0, 100, 100, nil},
	}
	for _, c := range cases {
		if got := fitsCap(c.count, c.n, c.max); got != c.want {
			t.Errorf("fitsCap(%d, %d, %d) = %v, want %v", c.count, c.n, c.max, got, c.want)
		}
	}
}

func TestMayRemove(t *testing.T) {
	cases := []struct {
		name                  string
		actor, target         string
		actorRole, targetRole Role
		force                 bool
		want                  error
	}{
		{"a member leaves", "m", "m", RoleMember, RoleMember, false, nil},
		{"the owner leaves", "o", "o", RoleOwner, RoleOwner, false, nil},
		{"the owner removes an admin", "o", "a", RoleOwner, RoleAdmin, false, nil},
		{"the owner removes a member", "o", "m", RoleOwner, RoleMember, false, nil},
		{"the owner removes a non-member", "o", "x", RoleOwner, "", false, ErrMemberNotFound},
		{"an admin removes a member", "a", "m", RoleAdmin, RoleMember, false, nil},
		{"an admin removes a non-member", "a", "x", RoleAdmin, "", false, ErrMemberNotFound},
		{"an admin may not remove the owner", "a", "o", RoleAdmin, RoleOwner, false, ErrForbidden},
		{"an admin may not remove another admin", "a", "b", RoleAdmin, RoleAdmin, false, ErrForbidden},
		{"a member may not remove a member", "m", "n", RoleMember, RoleMember, false, ErrForbidden},
		{"a member probing a non-member is refused for the role", "m", "x", RoleMember, "", false, ErrForbidden},
		{"a non-member gets the missing-room answer", "x", "m", "", RoleMember, false, ErrNotFound},
		{"a non-member leaving gets it too", "x", "x", "", "", false, ErrNotFound},
		{"a ban removes anyone", "admin", "o", "", RoleOwner, true, nil},
		{"a ban of a non-member is a stale entry", "admin", "x", "", "", true, ErrMemberNotFound},
	}
	for _, c := range cases {
		got := mayRemove(c.actor, c.target, c.actorRole, c.targetRole, c.force)
		if got != c.want {
			t.Errorf("%s: mayRemove = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestMayDelete(t *testing.T) {
	for role, want := range map[Role]error{RoleOwner: nil, RoleAdmin: ErrForbidden, RoleMember: ErrForbidden, "": ErrNotFound} {
		if got := mayDelete(role); got != want {
			t.Errorf("mayDelete(%q) = %v, want %v", role, got, want)
		}
	}
}

func TestPlanRemoval(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	m := func(uid string, role Role, minute int) Member {
		return Member{UID: uid, Role: role, JoinedAt: t0.Add(time.Duration(minute) * time.Minute)}
	}
	sorted := func(ms ...Member) []Member { sortMembers(ms); return ms }
	cases := []struct {
		name    string
		ms      []Member
		target  string
		want    removal
		wantUID string
	}{
		{"the last one out deletes the room", sorted(m("o", RoleOwner, 0)), "o", removal{RoomDeleted: true}, ""},
		{"a member leaving changes only the count", sorted(m("o", RoleOwner, 0), m("m", RoleMember, 1)), "m", removal{Remaining: 1}, ""},
		{"the owner's successor is the earliest admin", sorted(m("o", RoleOwner, 0), m("m", RoleMember, 1), m("a2", RoleAdmin, 3), m("a1", RoleAdmin, 2)), "o", removal{Remaining: 3}, "a1"},
		{"else the earliest member", sorted(m("o", RoleOwner, 0), m("m2", RoleMember, 2), m("m1", RoleMember, 1)), "o", removal{Remaining: 2}, "m1"},
		{"a join-time tie goes to the smaller uid", sorted(m("o", RoleOwner, 0), m("y", RoleMember, 1), m("x", RoleMember, 1)), "o", removal{Remaining: 2}, "x"},
		{"an admin leaving hands nothing over", sorted(m("o", RoleOwner, 0), m("a", RoleAdmin, 1)), "a", removal{Remaining: 1}, ""},
	}
	for _, c := range cases {
		got := planRemoval(c.ms, c.target)
		if got.RoomDeleted != c.want.RoomDeleted || got.Remaining != c.want.Remaining || got.NewOwner.UID != c.wantUID {
			t.Errorf("%s: planRemoval = %+v, want %+v with new owner %q", c.name, got, c.want, c.wantUID)
		}
		if c.wantUID != "" && got.NewOwner.UID == c.target {
			t.Errorf("%s: the leaving owner succeeded themselves", c.name)
		}
	}
}

func TestDirectIndexKey(t *testing.T) {
	pair := []Member{{UID: "alice"}, {UID: "bob"}}
	if got := directIndexKey(KindDirect, pair); got != DirectKey("alice", "bob") {
		t.Errorf("a full direct room: %q", got)
	}
	if got := directIndexKey(KindDirect, pair[:1]); got != "" {
		t.Errorf("a half-empty direct room still drops %q", got)
	}
	if got := directIndexKey(KindGroup, pair); got != "" {
		t.Errorf("a group room drops %q", got)
	}
}

func TestRoleOf(t *testing.T) {
	ms := []Member{{UID: "o", Role: RoleOwner}, {UID: "m", Role: RoleMember}}
	if roleOf(ms, "o") != RoleOwner || roleOf(ms, "m") != RoleMember || roleOf(ms, "x") != "" || roleOf(nil, "o") != "" {
		t.Fatal("roleOf")
	}
}
