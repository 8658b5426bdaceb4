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

// Bounds of the device GC's work.
const (
	// gcLookupBatch is Firebase Auth's limit on one GetUsers call.
	gcLookupBatch = 100
	// DefaultGCBatch is how many device owners the GC lists at a time.
	DefaultGCBatch = 1000
	// DefaultGCPause is the pause between two batches of one pass, which
	// spreads a large app's pass over time (10 000 owners: about 10 s of
	// pauses) instead of bursting Auth lookups.
	DefaultGCPause = time.Second
)

// UserLookup is the part of *auth.Client the device GC uses.
type UserLookup interface {
	GetUsers(ctx context.Context, identifiers []auth.UserIdentifier) (*auth.GetUsersResult, error)
}

// DeviceGC drops the push devices of users deleted outside roomgate (the
// Firebase console, the Admin SDK), whom no account deletion of ours
// reached. Each pass covers every device owner: it pages through them in
// uid order, Batch at a time with Pause between batches, looks them up in
// Auth 100 at a time, and drops the devices of every uid Auth
// affirmatively reports as not found; a failed lookup drops nothing and
// ends the pass (the next one starts from the beginning again). So with
// the default hourly interval, devices of a user deleted elsewhere go
// within about an hour plus one pass, whatever the app's size; a pass
// costs one Auth lookup per 100 owners. Nothing is kept between passes
// (no cursor to lose on a restart). The work is idempotent (dropping a
// dropped user's devices again changes nothing), so instances need no
// lease: two running passes at once only repeat each other's lookups.
type DeviceGC struct {
	Devices *push.Devices
	Auth    UserLookup
	Logger  *slog.Logger
	// Batch is how many owners are listed at a time (0 = DefaultGCBatch);
	// Pause the wait between batches (0 = DefaultGCPause, < 0 = none).
	Batch int
	Pause time.Duration

	mu sync.Mutex // one pass at a time per instance
}

// GCResult is what one pass did.
type GCResult struct {
	Checked, Dropped int
}

func (g *DeviceGC) batch() int {
	if g.Batch > 0 {
		return g.Batch
	}
	return DefaultGCBatch
}

func (g *DeviceGC) pause() time.Duration {
	switch {
	case g.Pause > 0:
		return g.Pause
	case g.Pause < 0:
		return 0
	}
	return DefaultGCPause
}

// Pass checks every device owner, batch by batch, until the end of the
// owners, an error, or ctx is done.
func (g *DeviceGC) Pass(ctx context.Context) (GCResult, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	var res GCResult
	cursor := ""
	for {
		owners, err := g.Devices.Owners(ctx, cursor, g.batch())
		if err != nil {
			return res, fmt.Errorf("app: listing device owners: %w", err)
		}
		if err := g.check(ctx, owners, &res); err != nil {
			return res, err
		}
		if len(owners) < g.batch() {
			return res, nil // the end
		}
		cursor = owners[len(owners)-1]
		if d := g.pause(); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				return res, ctx.Err()
			case <-t.C:
			}
		}
	}
}

// check looks owners up in Auth and drops the devices of those not found.
func (g *DeviceGC) check(ctx context.Context, owners []string, res *GCResult) error {
	for i := 0; i < len(owners); i += gcLookupBatch {
		batch := owners[i:min(i+gcLookupBatch, len(owners))]
		ids := make([]auth.UserIdentifier, len(batch))
		for j, uid := range batch {
			ids[j] = auth.UIDIdentifier{UID: uid}
		}
		found, err := g.Auth.GetUsers(ctx, ids)
		if err != nil {
			return fmt.Errorf("app: looking up device owners: %w", err)
		}
		for _, id := range found.NotFound {
			u, ok := id.(auth.UIDIdentifier)
			if !ok {
				continue
			}
			if _, err := g.Devices.DropUser(ctx, u.UID); err != nil {
				return fmt.Errorf("app: dropping devices of %s: %w", u.UID, err)
			}
			res.Dropped++
		}
		res.Checked += len(batch)
	}
	return nil
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
