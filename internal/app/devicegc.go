package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"firebase.google.com/go/v4/auth"

	"github.com/roomgate/roomgate/internal/push"
)

// Bounds of one device GC pass.
const (
	// gcLookupBatch is Firebase Auth's limit on one GetUsers call.
	gcLookupBatch = 100
	// gcOwnersPerPass bounds the device owners one pass checks; the next
	// pass continues after the last one, and wraps round at the end.
	gcOwnersPerPass = 1000
)

// UserLookup is the part of *auth.Client the device GC uses.
type UserLookup interface {
	GetUsers(ctx context.Context, identifiers []auth.UserIdentifier) (*auth.GetUsersResult, error)
}

// DeviceGC drops the push devices of users deleted outside roomgate (the
// Firebase console, the Admin SDK), whom no account deletion of ours
// reached. Each pass pages through the device owners from where the last
// one stopped, looks them up in Auth 100 at a time, and drops the devices
// of every uid Auth affirmatively reports as not found; a failed lookup
// drops nothing. The work is idempotent (dropping a dropped user's devices
// again changes nothing), so instances need no lease: two running passes
// at once only repeat each other's lookups.
type DeviceGC struct {
	Devices *push.Devices
	Auth    UserLookup
	Logger  *slog.Logger

	mu     sync.Mutex
	cursor string // the last owner checked; "" = start from the first
}

// GCResult is what one pass did.
type GCResult struct {
	Checked, Dropped int
}

// Pass checks up to gcOwnersPerPass device owners.
func (g *DeviceGC) Pass(ctx context.Context) (GCResult, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	owners, err := g.Devices.Owners(ctx, g.cursor, gcOwnersPerPass)
	if err != nil {
		return GCResult{}, fmt.Errorf("app: listing device owners: %w", err)
	}
	var res GCResult
	for i := 0; i < len(owners); i += gcLookupBatch {
		batch := owners[i:min(i+gcLookupBatch, len(owners))]
		ids := make([]auth.UserIdentifier, len(batch))
		for j, uid := range batch {
			ids[j] = auth.UIDIdentifier{UID: uid}
		}
		found, err := g.Auth.GetUsers(ctx, ids)
		if err != nil {
			return res, fmt.Errorf("app: looking up device owners: %w", err)
		}
		for _, id := range found.NotFound {
			u, ok := id.(auth.UIDIdentifier)
			if !ok {
				continue
			}
			if _, err := g.Devices.DropUser(ctx, u.UID); err != nil {
				return res, fmt.Errorf("app: dropping devices of %s: %w", u.UID, err)
			}
			res.Dropped++
		}
		res.Checked += len(batch)
		g.cursor = batch[len(batch)-1]
	}
	if len(owners) < gcOwnersPerPass {
		g.cursor = "" // the end: the next pass starts over
	}
	return res, nil
}

// Run runs a pass every interval until ctx is done, the first one
// interval after the start (so short-lived processes, tests among them,
// never run one unless they ask).
func (g *DeviceGC) Run(ctx context.Context, interval time.Duration) {
	log := g.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		res, err := g.Pass(ctx)
		if res.Dropped > 0 {
			log.InfoContext(ctx, "device GC dropped devices of deleted users", "users", res.Dropped, "checked", res.Checked)
		}
		if err != nil && ctx.Err() == nil {
			log.WarnContext(ctx, "device GC pass failed", "error", err)
		}
	}
}
