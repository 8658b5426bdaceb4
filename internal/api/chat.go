package api

// chat.go declares what the chat-app handlers need (invites, room
// management, profiles, moderation) as small interfaces the domain
// packages implement, and the dedicated rate limits of the routes that
// could be used to guess (invite tokens) or to harvest (email lookup).

import (
	"context"
	"time"

	"github.com/roomgate/roomgate/internal/moderation"
	"github.com/roomgate/roomgate/internal/profiles"
	"github.com/roomgate/roomgate/internal/rooms"
)

// InviteService is what the invite handlers need; *rooms.Invites
// implements it.
type InviteService interface {
	// ParseInvite validates a new invite's lifetime in seconds and use
	// count (0: the defaults) against the service's invite limits.
	ParseInvite(expiresInSeconds int64, maxUses int) (rooms.InviteRequest, error)
	Create(ctx context.Context, actor rooms.Actor, roomID string, req rooms.InviteRequest) (rooms.NewInvite, error)
	Accept(ctx context.Context, actor rooms.Actor, token string) (rooms.AcceptResult, error)
	Revoke(ctx context.Context, actor rooms.Actor, roomID, inviteID string) error
	// List returns a page of the room's live invites (owner or room
	// admin).
	List(ctx context.Context, actor rooms.Actor, roomID string, q rooms.InviteListQuery) (rooms.InvitePage, error)
}

// RoomAdminService is what the room management handlers need;
// *rooms.Management implements it.
type RoomAdminService interface {
	SetTitle(ctx context.Context, actor rooms.Actor, roomID, title string) (rooms.Room, error)
	SetSlowMode(ctx context.Context, actor rooms.Actor, roomID string, seconds int) (rooms.Room, error)
	SetPushPreview(ctx context.Context, actor rooms.Actor, roomID string, on bool) (rooms.Room, error)
	SetRole(ctx context.Context, actor rooms.Actor, roomID, target string, role rooms.Role) (rooms.Room, error)
}

// ProfileService is what the profile handlers need; *profiles.Service
// implements it.
type ProfileService interface {
	Put(ctx context.Context, who profiles.Identity, p profiles.Profile) (profiles.Profile, error)
	Get(ctx context.Context, uid string) (profiles.Profile, error)
	Lookup(ctx context.Context, email string) (string, error)
}

// ModerationService is what the block, report and audit handlers need;
// *moderation.Service implements it.
type ModerationService interface {
	Block(ctx context.Context, blocker, blocked string) error
	Unblock(ctx context.Context, blocker, blocked string) error
	Blocks(ctx context.Context, uid string) ([]moderation.Block, error)
	FileReport(ctx context.Context, r moderation.Report, requestID string) (moderation.Report, bool, error)
	Reports(ctx context.Context, limit int, cursor string) ([]moderation.Report, string, error)
	Audit(ctx context.Context, limit int, cursor string) ([]moderation.AuditEntry, string, error)
}

// GuessLimits are the per-uid limits of the routes an attacker could use
// to guess or harvest, on top of the general limits. Zero fields take the
// DefaultGuessLimits value (they are always on).
type GuessLimits struct {
	// AcceptRate and AcceptBurst bound invite acceptances of any outcome.
	AcceptRate  float64
	AcceptBurst int
	// FailureRate and FailureBurst bound failed acceptances (an invalid
	// token): once the failures are spent, acceptances are refused until
	// they refill, whatever the token.
	FailureRate  float64
	FailureBurst int
	// LookupRate and LookupBurst bound email lookups.
	LookupRate  float64
	LookupBurst int
}

// DefaultGuessLimits: 10 acceptances a minute; 5 failed acceptances,
// refilling one per 5 minutes; 10 lookups, refilling one a minute.
var DefaultGuessLimits = GuessLimits{
	AcceptRate: 10.0 / 60, AcceptBurst: 10,
	FailureRate: 1.0 / 300, FailureBurst: 5,
	LookupRate: 1.0 / 60, LookupBurst: 10,
}

func (g GuessLimits) withDefaults() GuessLimits {
	d := DefaultGuessLimits
	if g.AcceptRate <= 0 || g.AcceptBurst <= 0 {
		g.AcceptRate, g.AcceptBurst = d.AcceptRate, d.AcceptBurst
	}
	if g.FailureRate <= 0 || g.FailureBurst <= 0 {
		g.FailureRate, g.FailureBurst = d.FailureRate, d.FailureBurst
	}
	if g.LookupRate <= 0 || g.LookupBurst <= 0 {
		g.LookupRate, g.LookupBurst = d.LookupRate, d.LookupBurst
	}
	return g
}

// guardLimiters are the buckets of GuessLimits.
type guardLimiters struct {
	accept, failures, lookup *keyedLimiter
}

func newGuardLimiters(g GuessLimits, now func() time.Time) guardLimiters {
	g = g.withDefaults()
	return guardLimiters{
		accept:   newKeyedLimiter(g.AcceptRate, g.AcceptBurst, now),
		failures: newKeyedLimiter(g.FailureRate, g.FailureBurst, now),
		lookup:   newKeyedLimiter(g.LookupRate, g.LookupBurst, now),
	}
}
