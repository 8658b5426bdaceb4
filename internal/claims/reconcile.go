package claims

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// reconcileBatch bounds the pending changes one Reconcile pass takes on.
const reconcileBatch = 100

// Reconcile is one pass of the reconciler: it applies every pending change
// whose lease (or the recording request's reservation) has run out, oldest
// first, taking the lease on each so that several instances running the
// reconciler never work on one user at once. It returns how many changes
// it finished and the failures (each left pending, retried later with a
// backoff).
func (m *Manager) Reconcile(ctx context.Context) (int, error) {
	uids, err := m.State.Due(ctx, m.now(), reconcileBatch)
	if err != nil {
		return 0, fmt.Errorf("claims: listing pending changes: %w", err)
	}
	done := 0
	var errs []error
	for _, uid := range uids {
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		owner := newOwner()
		now := m.now()
		p, found, err := m.State.Lease(ctx, uid, owner, now, now.Add(m.leaseDuration()), false)
		switch {
		case errors.Is(err, ErrLeaseHeld), err == nil && !found:
			continue // taken by another worker since the listing, or finished
		case err != nil:
			errs = append(errs, fmt.Errorf("claims: leasing %s: %w", uid, err))
			continue
		}
		if _, err := m.work(ctx, p, owner); err != nil {
			errs = append(errs, fmt.Errorf("claims: applying %s: %w", uid, err))
			continue
		}
		done++
	}
	return done, errors.Join(errs...)
}

// RunReconciler runs Reconcile at once (changes left by a crashed instance)
// and then every interval until ctx is done, logging what it did.
func (m *Manager) RunReconciler(ctx context.Context, interval time.Duration, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := m.Reconcile(ctx)
		if n > 0 {
			log.InfoContext(ctx, "claims reconciler applied pending changes", "count", n)
		}
		if err != nil && ctx.Err() == nil {
			log.WarnContext(ctx, "claims reconciler: changes still pending", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
