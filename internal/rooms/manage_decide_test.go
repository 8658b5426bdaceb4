package rooms

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestPlanRoleChange(t *testing.T) {
	var inv *InvalidError
	cases := []struct {
		name                 string
		kind                 Kind
		actor, target        string
		actorRole, tgt, role Role
		want                 []roleChange
		err                  error
		invalid              bool
	}{
		{"owner promotes a member", KindGroup, "o", "m", RoleOwner, RoleMember, RoleAdmin, []roleChange{{"m", RoleAdmin}}, nil, false},
		{"owner demotes an admin", KindGroup, "o", "a", RoleOwner, RoleAdmin, RoleMember, []roleChange{{"a", RoleMember}}, nil, false},
		{"owner transfers ownership", KindGroup, "o", "m", RoleOwner, RoleMember, RoleOwner, []roleChange{{"m", RoleOwner}, {"o", RoleAdmin}}, nil, false},
		{"unchanged role plans nothing", KindGroup, "o", "a", RoleOwner, RoleAdmin, RoleAdmin, nil, nil, false},
		{"owner stays owner: nothing", KindGroup, "o", "o", RoleOwner, RoleOwner, RoleOwner, nil, nil, false},
		{"owner cannot demote themselves", KindGroup, "o", "o", RoleOwner, RoleOwner, RoleMember, nil, nil, true},
		{"an admin cannot change roles", KindGroup, "a", "m", RoleAdmin, RoleMember, RoleAdmin, nil, ErrForbidden, false},
		{"an admin cannot take ownership", KindGroup, "a", "a", RoleAdmin, RoleAdmin, RoleOwner, nil, ErrForbidden, false},
		{"a member cannot promote themselves", KindGroup, "m", "m", RoleMember, RoleMember, RoleAdmin, nil, ErrForbidden, false},
		{"a non-member hears not found", KindGroup, "x", "m", "", RoleMember, RoleAdmin, nil, ErrNotFound, false},
		{"a target outside the room", KindGroup, "o", "x", RoleOwner, "", RoleAdmin, nil, ErrMemberNotFound, false},
		{"direct rooms have fixed roles", KindDirect, "o", "m", RoleOwner, RoleMember, RoleOwner, nil, ErrDirectRoomFixed, false},
		{"a plain member does not learn the kind", KindDirect, "m", "o", RoleMember, RoleOwner, RoleMember, nil, ErrForbidden, false},
	}
	for _, c := range cases {
		got, err := planRoleChange(c.kind, c.actor, c.target, c.actorRole, c.tgt, c.role)
		switch {
		case c.invalid:
			if !errors.As(err, &inv) {
				t.Errorf("%s: err %v, want an InvalidError", c.name, err)
			}
		case c.err != nil:
			if !errors.Is(err, c.err) {
				t.Errorf("%s: err %v, want %v", c.name, err, c.err)
			}
		case err != nil:
			t.Errorf("%s: err %v", c.name, err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: plan %v, want %v", c.name, got, c.want)
		}
	}
}

func TestMayRetitle(t *testing.T) {
	for _, c := range []struct {
		kind Kind
		role Role
		want error
	}{
		{KindGroup, RoleOwner, nil}, {KindGroup, RoleAdmin, nil}, {KindGroup, RoleMember, ErrForbidden},
		{KindGroup, "", ErrNotFound}, {KindDirect, RoleOwner, ErrDirectRoomFixed},
	} {
		if got := mayManage(c.kind, c.role); !errors.Is(got, c.want) || (got == nil) != (c.want == nil) {
			t.Errorf("mayManage(%s, %q) = %v, want %v", c.kind, c.role, got, c.want)
		}
	}
}

func TestInviteUsable(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ok := Invite{ExpiresAt: now.Add(time.Second), MaxUses: 2, Uses: 1}
	if err := inviteUsable(ok, now); err != nil {
		t.Fatalf("usable invite: %v", err)
	}
	for name, inv := range map[string]Invite{
		"expired":          {ExpiresAt: now.Add(-time.Second), MaxUses: 2},
		"expiring exactly": {ExpiresAt: now, MaxUses: 2},
		"used up":          {ExpiresAt: now.Add(time.Hour), MaxUses: 2, Uses: 2},
		"revoked":          {ExpiresAt: now.Add(time.Hour), MaxUses: 2, Revoked: true},
		"zero uses":        {ExpiresAt: now.Add(time.Hour)},
	} {
		if err := inviteUsable(inv, now); !errors.Is(err, ErrInviteInvalid) {
			t.Errorf("%s: %v, want ErrInviteInvalid", name, err)
		}
	}
	for role, want := range map[Role]error{RoleOwner: nil, RoleAdmin: nil, RoleMember: ErrInviteInvalid, "": ErrInviteInvalid} {
		if got := mayAcceptFrom(role); got != want {
			t.Errorf("mayAcceptFrom(%q) = %v, want %v", role, got, want)
		}
	}
}

func TestInviteTokens(t *testing.T) {
	a, b := NewInviteToken(), NewInviteToken()
	if a == b || !ValidInviteToken(a) || !ValidInviteToken(b) {
		t.Fatalf("tokens %q %q", a, b)
	}
	if InviteTokenDigest(a) == a || len(InviteTokenDigest(a)) != 64 {
		t.Fatalf("digest %q", InviteTokenDigest(a))
	}
	for _, bad := range []string{"", a[:42], a + "x", strings.Repeat("+", len(a)), strings.Repeat("/", len(a)), a[:42] + "="} {
		if ValidInviteToken(bad) {
			t.Errorf("ValidInviteToken(%q) = true", bad)
		}
	}
	for _, c := range []struct {
		req InviteRequest
		ok  bool
	}{
		{InviteRequest{}, true},
		{InviteRequest{TTL: time.Minute, MaxUses: MaxInviteUses}, true},
		{InviteRequest{TTL: time.Second}, false},
		{InviteRequest{TTL: MaxInviteTTL + time.Second}, false},
		{InviteRequest{MaxUses: -1}, false},
		{InviteRequest{MaxUses: MaxInviteUses + 1}, false},
	} {
		got, err := ValidateInvite(c.req)
		if (err == nil) != c.ok {
			t.Errorf("ValidateInvite(%+v) = %v", c.req, err)
		}
		if c.ok && (got.TTL == 0 || got.MaxUses == 0) {
			t.Errorf("defaults not applied: %+v", got)
		}
	}
}
