package config

import (
	"io"
	"strings"
	"testing"
	"time"
)

func TestInviteSettingsParse(t *testing.T) {
	cfg, err := Load([]string{"-invite-max-uses", "20", "-invite-failure-refill", "1m"}, env(map[string]string{
		"ROOMGATE_PROJECT_ID":           "p",
		"ROOMGATE_INVITE_DEFAULT_TTL":   "1h",
		"ROOMGATE_INVITE_MAX_TTL":       "48h",
		"ROOMGATE_INVITE_DEFAULT_USES":  "2",
		"ROOMGATE_INVITE_MAX_USES":      "5", // the flag wins
		"ROOMGATE_INVITE_ACCEPT_BURST":  "4",
		"ROOMGATE_INVITE_ACCEPT_REFILL": "30s",
		"ROOMGATE_INVITE_FAILURE_BURST": "3",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.InviteDefaultTTL != time.Hour || cfg.InviteMaxTTL != 48*time.Hour || cfg.InviteDefaultUses != 2 || cfg.InviteMaxUses != 20 ||
		cfg.InviteAcceptBurst != 4 || cfg.InviteAcceptRefill != 30*time.Second || cfg.InviteFailureBurst != 3 || cfg.InviteFailureRefill != time.Minute {
		t.Fatalf("cfg = %+v", cfg)
	}
}

func TestInviteDefaultsAreTheBuiltInOnes(t *testing.T) {
	d := Default()
	if d.InviteDefaultTTL != 7*24*time.Hour || d.InviteMaxTTL != 30*24*time.Hour || d.InviteDefaultUses != 1 || d.InviteMaxUses != 1000 ||
		d.InviteAcceptBurst != 10 || d.InviteAcceptRefill != 6*time.Second || d.InviteFailureBurst != 5 || d.InviteFailureRefill != 5*time.Minute {
		t.Fatalf("defaults = %+v", d)
	}
}

func TestInviteSettingsAreBounded(t *testing.T) {
	cases := map[string]struct {
		env  map[string]string
		want string
	}{
		"max TTL over 90 days":      {map[string]string{"ROOMGATE_INVITE_MAX_TTL": "2161h"}, "invite max TTL"},
		"max TTL under a minute":    {map[string]string{"ROOMGATE_INVITE_MAX_TTL": "59s", "ROOMGATE_INVITE_DEFAULT_TTL": "59s"}, "invite max TTL"},
		"max TTL not whole seconds": {map[string]string{"ROOMGATE_INVITE_MAX_TTL": "1h500ms"}, "invite max TTL"},
		"default TTL above max":     {map[string]string{"ROOMGATE_INVITE_DEFAULT_TTL": "721h"}, "invite default TTL"},
		"default TTL zero":          {map[string]string{"ROOMGATE_INVITE_DEFAULT_TTL": "0s"}, "invite default TTL"},
		"max uses zero":             {map[string]string{"ROOMGATE_INVITE_MAX_USES": "0"}, "invite max uses"},
		"max uses over 10000":       {map[string]string{"ROOMGATE_INVITE_MAX_USES": "10001"}, "invite max uses"},
		"default uses above max":    {map[string]string{"ROOMGATE_INVITE_DEFAULT_USES": "1001"}, "invite default uses"},
		"default uses negative":     {map[string]string{"ROOMGATE_INVITE_DEFAULT_USES": "-1"}, "invite default uses"},
		"accept burst zero":         {map[string]string{"ROOMGATE_INVITE_ACCEPT_BURST": "0"}, "invite accept burst"},
		"accept burst huge":         {map[string]string{"ROOMGATE_INVITE_ACCEPT_BURST": "1001"}, "invite accept burst"},
		"failure burst huge":        {map[string]string{"ROOMGATE_INVITE_FAILURE_BURST": "101"}, "invite failure burst"},
		"accept refill zero":        {map[string]string{"ROOMGATE_INVITE_ACCEPT_REFILL": "0s"}, "invite accept refill"},
		"failure refill over a day": {map[string]string{"ROOMGATE_INVITE_FAILURE_REFILL": "25h"}, "invite failure refill"},
		"failure refill sub-second": {map[string]string{"ROOMGATE_INVITE_FAILURE_REFILL": "500ms"}, "invite failure refill"},
		"not a duration":            {map[string]string{"ROOMGATE_INVITE_MAX_TTL": "forever"}, "not a duration"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			c.env["ROOMGATE_PROJECT_ID"] = "p"
			_, err := Load(nil, env(c.env), io.Discard)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Load = %v, want an error about %s", err, c.want)
			}
		})
	}
	// The extremes are accepted.
	_, err := Load(nil, env(map[string]string{"ROOMGATE_PROJECT_ID": "p", "ROOMGATE_INVITE_MAX_TTL": "2160h", "ROOMGATE_INVITE_DEFAULT_TTL": "1m",
		"ROOMGATE_INVITE_MAX_USES": "10000", "ROOMGATE_INVITE_DEFAULT_USES": "10000", "ROOMGATE_INVITE_ACCEPT_REFILL": "24h", "ROOMGATE_INVITE_FAILURE_REFILL": "1s"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
}
