package rooms

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Sweeper finishes room deletions in the background: it sweeps the
// messages of rooms the service has just tombstoned (Kick) and, on start
// and then every Interval, every tombstone whose lease has run out, so a
// deletion interrupted by a crash or a lost connection is finished by a
// restart or by another instance. Sweeps run one at a time, so a burst of
// deletions cannot crowd out requests.
//
// The zero value needs only Store; the other fields have defaults.
type Sweeper struct {
	Store Store
	// Holder names this instance on the leases it takes (a random name if
	// empty). Two instances must not share one.
	Holder string
	// LeaseTTL is how long one chunk's lease lasts (DefaultLeaseTTL if 0).
	LeaseTTL time.Duration
	// Interval is the period of the scan for due tombstones
	// (DefaultSweepInterval if 0).
	Interval time.Duration
	// Logger receives failed sweeps (discarded if nil).
	Logger *slog.Logger
	// Now is the lease clock (time.Now if nil).
	Now func() time.Time

	once  sync.Once
	kicks chan string
}

// Sweeper defaults.
const (
	// DefaultLeaseTTL is well above one chunk's transaction and above the
	// clock skew of instances.
	DefaultLeaseTTL = 30 * time.Second
	// DefaultSweepInterval bounds how long a deletion whose sweeper died
	// waits: its lease, then up to one interval.
	DefaultSweepInterval = time.Minute
	// pendingPage is how many due tombstones one query fetches.
	pendingPage = 50
	// kickBuffer is how many kicks wait for the sweeper; more are dropped
	// and found by the next scan instead.
	kickBuffer = 256
)

func (w *Sweeper) init() {
	w.once.Do(func() {
		w.kicks = make(chan string, kickBuffer)
		if w.Holder == "" {
			var b [8]byte
			_, _ = rand.Read(b[:])
			w.Holder = "sweeper-" + hex.EncodeToString(b[:])
		}
	})
}

func (w *Sweeper) lease() Lease {
	ttl := w.LeaseTTL
	if ttl <= 0 {
		ttl = DefaultLeaseTTL
	}
	return Lease{Holder: w.Holder, TTL: ttl, Now: w.Now}
}

func (w *Sweeper) logger() *slog.Logger {
	if w.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Logger
}

// Kick asks the running sweeper to sweep roomID soon. It never blocks: a
// kick that finds the queue full is dropped and the next scan finds the
// tombstone.
func (w *Sweeper) Kick(roomID string) {
	w.init()
	select {
	case w.kicks <- roomID:
	default:
	}
}

// Run sweeps until ctx ends: first every due tombstone (what a previous
// run, here or elsewhere, left behind), then kicked rooms as they come and
// a scan every Interval. Failed sweeps are logged and retried by a later
// scan once their lease has run out. Run returns ctx's error.
func (w *Sweeper) Run(ctx context.Context) error {
	w.init()
	every := w.Interval
	if every <= 0 {
		every = DefaultSweepInterval
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	w.sweepDue(ctx)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case id := <-w.kicks:
			w.sweep(ctx, id)
		case <-tick.C:
			w.sweepDue(ctx)
		}
	}
}

// SweepDue sweeps every tombstone whose lease has run out, and returns
// how many it finished and the first error. Tombstones another sweeper
// holds are left to it.
func (w *Sweeper) SweepDue(ctx context.Context) (int, error) {
	w.init()
	done := 0
	var first error
	tried := map[string]bool{}
	for {
		ids, err := w.Store.PendingDeletions(ctx, w.lease().now(), pendingPage)
		if err != nil {
			return done, err
		}
		fresh := 0
		for _, id := range ids {
			if tried[id] {
				continue
			}
			tried[id], fresh = true, fresh+1
			switch err := w.Store.SweepDeletion(ctx, id, w.lease()); {
			case err == nil:
				done++
			case errors.Is(err, ErrLeaseHeld):
			case first == nil:
				first = err
			}
			if ctx.Err() != nil {
				return done, ctx.Err()
			}
		}
		if len(ids) < pendingPage || fresh == 0 {
			return done, first
		}
	}
}

func (w *Sweeper) sweepDue(ctx context.Context) {
	if n, err := w.SweepDue(ctx); err != nil && ctx.Err() == nil {
		w.logger().Warn("rooms: sweeping deleted rooms", "finished", n, "error", err)
	}
}

func (w *Sweeper) sweep(ctx context.Context, id string) {
	err := w.Store.SweepDeletion(ctx, id, w.lease())
	if err != nil && !errors.Is(err, ErrLeaseHeld) && ctx.Err() == nil {
		w.logger().Warn("rooms: sweeping a deleted room; a later scan retries", "room", id, "error", err)
	}
}
