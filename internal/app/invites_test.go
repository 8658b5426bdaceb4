package app_test

import (
	"testing"
	"time"

	"github.com/roomgate/roomgate/internal/api"
	"github.com/roomgate/roomgate/internal/app"
	"github.com/roomgate/roomgate/internal/config"
	"github.com/roomgate/roomgate/internal/rooms"
)

// TestInviteSettingsMapOntoTheServices: the default settings are the
// services' built-in limits, and every configuration config accepts is
// one the rooms package accepts too.
func TestInviteSettingsMapOntoTheServices(t *testing.T) {
	d := config.Default()
	if got := app.InviteLimits(d); got != rooms.DefaultInviteLimits {
		t.Fatalf("default invite limits %+v, want %+v", got, rooms.DefaultInviteLimits)
	}
	g, want := app.GuessLimits(d), api.DefaultGuessLimits
	if g.AcceptBurst != want.AcceptBurst || g.FailureBurst != want.FailureBurst ||
		!near(g.AcceptRate, want.AcceptRate) || !near(g.FailureRate, want.FailureRate) {
		t.Fatalf("default guess limits %+v, want %+v", g, want)
	}
	for _, c := range []config.Config{
		func() config.Config {
			c := d
			c.InviteMaxTTL, c.InviteDefaultTTL, c.InviteMaxUses, c.InviteDefaultUses = config.MaxInviteTTLCeiling, config.MinInviteTTL, config.MaxInviteUsesCeiling, 1
			return c
		}(),
		func() config.Config {
			c := d
			c.InviteMaxTTL, c.InviteDefaultTTL, c.InviteMaxUses, c.InviteDefaultUses = config.MinInviteTTL, config.MinInviteTTL, 1, 1
			return c
		}(),
	} {
		c.ProjectID = "p"
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
		if err := app.InviteLimits(c).Check(); err != nil {
			t.Errorf("config accepts %+v but rooms refuses it: %v", app.InviteLimits(c), err)
		}
	}
	if config.MaxMembersCeiling != rooms.CeilingMembers {
		t.Errorf("config caps -max-members at %d, the rooms package at %d", config.MaxMembersCeiling, rooms.CeilingMembers)
	}
	if config.MaxInviteTTLCeiling != rooms.CeilingInviteTTL || config.MaxInviteUsesCeiling != rooms.CeilingInviteUses || config.MinInviteTTL != rooms.MinInviteTTL {
		t.Error("config's invite bounds differ from the rooms package's")
	}
	if r := app.GuessLimits(config.Config{InviteAcceptRefill: time.Minute, InviteFailureRefill: time.Hour, InviteAcceptBurst: 1, InviteFailureBurst: 1}); !near(r.AcceptRate, 1.0/60) || !near(r.FailureRate, 1.0/3600) {
		t.Errorf("rates %+v", r)
	}
}

func near(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }
