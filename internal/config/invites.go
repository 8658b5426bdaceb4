package config

// invites.go validates the invite settings.

import (
	"fmt"
	"time"
)

// Bounds of the invite settings. An invite is a standing key to a room:
// it never lives longer than 90 days nor admits more than 10000 people,
// and the acceptance limits can be loosened only so far.
const (
	MinInviteTTL         = time.Minute
	MaxInviteTTLCeiling  = 90 * 24 * time.Hour
	MaxInviteUsesCeiling = 10000
	// MaxInviteAcceptBurst and MaxInviteFailureBurst bound the buckets;
	// a refill period is 1s to 24h.
	MaxInviteAcceptBurst  = 1000
	MaxInviteFailureBurst = 100
	minInviteRefill       = time.Second
	maxInviteRefill       = 24 * time.Hour
)

// validateInvites checks the invite settings: MinInviteTTL <= default TTL
// <= max TTL <= MaxInviteTTLCeiling in whole seconds (the API speaks
// seconds), 1 <= default uses <= max uses <= MaxInviteUsesCeiling, bursts
// of at least 1 and refills of 1s to 24h.
func (c Config) validateInvites() []error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf("config: "+format, a...)) }
	if c.InviteMaxTTL < MinInviteTTL || c.InviteMaxTTL > MaxInviteTTLCeiling || c.InviteMaxTTL%time.Second != 0 {
		bad("invite max TTL %v out of range %v..%v (whole seconds)", c.InviteMaxTTL, MinInviteTTL, MaxInviteTTLCeiling)
	}
	if c.InviteDefaultTTL < MinInviteTTL || c.InviteDefaultTTL > c.InviteMaxTTL || c.InviteDefaultTTL%time.Second != 0 {
		bad("invite default TTL %v out of range %v..%v, the invite max TTL (whole seconds)", c.InviteDefaultTTL, MinInviteTTL, c.InviteMaxTTL)
	}
	if c.InviteMaxUses < 1 || c.InviteMaxUses > MaxInviteUsesCeiling {
		bad("invite max uses %d out of range 1..%d", c.InviteMaxUses, MaxInviteUsesCeiling)
	}
	if c.InviteDefaultUses < 1 || c.InviteDefaultUses > c.InviteMaxUses {
		bad("invite default uses %d out of range 1..%d, the invite max uses", c.InviteDefaultUses, c.InviteMaxUses)
	}
	if c.InviteAcceptBurst < 1 || c.InviteAcceptBurst > MaxInviteAcceptBurst {
		bad("invite accept burst %d out of range 1..%d", c.InviteAcceptBurst, MaxInviteAcceptBurst)
	}
	if c.InviteFailureBurst < 1 || c.InviteFailureBurst > MaxInviteFailureBurst {
		bad("invite failure burst %d out of range 1..%d", c.InviteFailureBurst, MaxInviteFailureBurst)
	}
	for name, d := range map[string]time.Duration{"invite accept refill": c.InviteAcceptRefill, "invite failure refill": c.InviteFailureRefill} {
		if d < minInviteRefill || d > maxInviteRefill {
			bad("%s %v out of range %v..%v", name, d, minInviteRefill, maxInviteRefill)
		}
	}
	return errs
}
