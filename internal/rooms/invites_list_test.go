package rooms

import (
	"errors"
	"math"
	"testing"
	"time"
)

func TestInviteCursorRoundTripsAndIsNotARoomCursor(t *testing.T) {
	c := InviteCursor{ExpiresAt: time.Date(2026, 2, 3, 4, 5, 6, 7000, time.UTC), InviteID: "AAAAAAAAAAAAAAAAAAAAAA"}
	got, err := DecodeInviteCursor(EncodeInviteCursor(c))
	if err != nil || got != c {
		t.Fatalf("round trip = %+v, %v", got, err)
	}
	room := EncodeCursor(Cursor{JoinedAt: c.ExpiresAt, RoomID: c.InviteID})
	if _, err := DecodeInviteCursor(room); !errors.Is(err, ErrBadCursor) {
		t.Fatalf("a room cursor decoded as an invite cursor: %v", err)
	}
	if _, err := DecodeCursor(EncodeInviteCursor(c)); !errors.Is(err, ErrBadCursor) {
		t.Fatalf("an invite cursor decoded as a room cursor: %v", err)
	}
	for _, bad := range []string{"!!", "aTEuMS5B", encodePosition("i1", c.ExpiresAt, "short")} {
		if _, err := ParseInviteListQuery(10, bad); !errors.Is(err, ErrBadCursor) {
			t.Errorf("cursor %q: %v", bad, err)
		}
	}
	for _, n := range []int{0, -1, MaxPageSize + 1} {
		if _, err := ParseInviteListQuery(n, ""); err == nil {
			t.Errorf("limit %d accepted", n)
		}
	}
}

func TestInviteLimits(t *testing.T) {
	if err := DefaultInviteLimits.Check(); err != nil {
		t.Fatal(err)
	}
	l := InviteLimits{DefaultTTL: time.Hour, MaxTTL: 2 * time.Hour, DefaultUses: 2, MaxUses: 4}
	inv := &Invites{InviteLimits: l}
	req, err := inv.ParseInvite(0, 0)
	if err != nil || req.TTL != time.Hour || req.MaxUses != 2 {
		t.Fatalf("defaults = %+v, %v", req, err)
	}
	for _, c := range []struct {
		secs int64
		uses int
		ok   bool
	}{
		{7200, 4, true}, {60, 1, true}, {7201, 1, false}, {59, 1, false}, {-1, 1, false},
		{math.MaxInt64, 1, false}, {60, 5, false}, {60, -1, false},
	} {
		_, err := inv.ParseInvite(c.secs, c.uses)
		if (err == nil) != c.ok {
			t.Errorf("ParseInvite(%d, %d) = %v", c.secs, c.uses, err)
		}
	}
	// The zero value is the built-in limits.
	if _, err := (&Invites{}).ParseInvite(int64(MaxInviteTTL/time.Second), MaxInviteUses); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []InviteLimits{
		{DefaultTTL: time.Hour, MaxTTL: CeilingInviteTTL + time.Second, DefaultUses: 1, MaxUses: 1},
		{DefaultTTL: 2 * time.Hour, MaxTTL: time.Hour, DefaultUses: 1, MaxUses: 1},
		{DefaultTTL: time.Hour, MaxTTL: time.Hour + time.Millisecond, DefaultUses: 1, MaxUses: 1},
		{DefaultTTL: time.Hour, MaxTTL: time.Hour, DefaultUses: 2, MaxUses: 1},
		{DefaultTTL: time.Hour, MaxTTL: time.Hour, DefaultUses: 1, MaxUses: CeilingInviteUses + 1},
		{DefaultTTL: time.Hour, MaxTTL: time.Hour, DefaultUses: 0, MaxUses: 1},
	} {
		if bad.Check() == nil {
			t.Errorf("Check(%+v) accepted", bad)
		}
	}
}

func TestInviteLive(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	live := Invite{ExpiresAt: now.Add(time.Minute), MaxUses: 2, Uses: 1}
	if !inviteLive(live, RoleAdmin, now) || !inviteLive(live, RoleOwner, now) {
		t.Fatal("a usable invite of an admin or owner is not live")
	}
	for name, c := range map[string]struct {
		inv  Invite
		role Role
	}{
		"revoked":         {Invite{ExpiresAt: live.ExpiresAt, MaxUses: 2, Revoked: true}, RoleOwner},
		"expired":         {Invite{ExpiresAt: now, MaxUses: 2}, RoleOwner},
		"used up":         {Invite{ExpiresAt: live.ExpiresAt, MaxUses: 2, Uses: 2}, RoleOwner},
		"creator demoted": {live, RoleMember},
		"creator gone":    {live, ""},
	} {
		if inviteLive(c.inv, c.role, now) {
			t.Errorf("%s: listed as live", name)
		}
	}
	if mayListInvites("") != ErrNotFound || mayListInvites(RoleMember) != ErrForbidden || mayListInvites(RoleAdmin) != nil {
		t.Error("mayListInvites")
	}
}
