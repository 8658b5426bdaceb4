package app

// invites.go maps the invite settings onto the services.

import (
	"time"

	"github.com/roomgate/roomgate/internal/api"
	"github.com/roomgate/roomgate/internal/config"
	"github.com/roomgate/roomgate/internal/rooms"
)

// InviteLimits are the bounds on new invites that cfg sets.
func InviteLimits(cfg config.Config) rooms.InviteLimits {
	return rooms.InviteLimits{DefaultTTL: cfg.InviteDefaultTTL, MaxTTL: cfg.InviteMaxTTL,
		DefaultUses: cfg.InviteDefaultUses, MaxUses: cfg.InviteMaxUses}
}

// GuessLimits are the invite acceptance limits that cfg sets, as rates;
// the email lookup limits stay at api.DefaultGuessLimits.
func GuessLimits(cfg config.Config) api.GuessLimits {
	perSecond := func(every time.Duration) float64 { return 1 / every.Seconds() }
	return api.GuessLimits{
		AcceptRate: perSecond(cfg.InviteAcceptRefill), AcceptBurst: cfg.InviteAcceptBurst,
		FailureRate: perSecond(cfg.InviteFailureRefill), FailureBurst: cfg.InviteFailureBurst,
	}
}
