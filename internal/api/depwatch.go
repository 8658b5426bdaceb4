package api

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// The dependency watch: while a critical dependency (Firestore) is
// unreachable, /v1 requests answer 503 with Retry-After at once instead of
// each waiting out the request timeout, and requests already waiting are
// cut short. It learns of an outage from a probe, which is started by a
// /v1 request that failed transiently or has run for longer than
// watchSlowAfter, or by /readyz; while the dependency is down the probe
// repeats every watchProbeEvery, so traffic resumes within about that
// much (plus the client's reconnect) after it is back.
const (
	watchSlowAfter  = time.Second
	watchProbeEvery = 250 * time.Millisecond
	watchProbeFor   = time.Second            // timeout of one probe
	watchMinGap     = 500 * time.Millisecond // between probes while up
	watchIdleStop   = 10 * time.Second       // stop probing a down dependency nobody asks for
)

// depWatch tracks whether the critical checks pass.
type depWatch struct {
	checks []Check
	log    *slog.Logger

	mu sync.Mutex // guards the fields below
	// down is set by a failed probe and cleared by a passing one.
	down bool
	// probing is set while a probe goroutine runs.
	probing bool
	// lastProbe and lastKick are when a probe last ran and was last asked for.
	lastProbe, lastKick time.Time
	// inflight holds the cancel functions of running /v1 requests.
	inflight map[uint64]context.CancelCauseFunc
	nextID   uint64
}

func newDepWatch(ready []Check, log *slog.Logger) *depWatch {
	w := &depWatch{log: log, inflight: map[uint64]context.CancelCauseFunc{}}
	for _, c := range ready {
		if c.Critical {
			w.checks = append(w.checks, c)
		}
	}
	return w
}

// isDown reports whether the last probe failed.
func (w *depWatch) isDown() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.down
}

// kick asks for a probe; it returns at once.
func (w *depWatch) kick() {
	if len(w.checks) == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	w.lastKick = now
	if w.probing || !w.down && now.Sub(w.lastProbe) < watchMinGap {
		return
	}
	w.probing = true
	go w.probe()
}

// probe runs the checks until they pass, or until nobody has asked for
// watchIdleStop while the dependency stays down.
func (w *depWatch) probe() {
	for {
		err := w.runOnce()
		w.mu.Lock()
		w.lastProbe = time.Now()
		if err == nil {
			if w.down {
				w.log.Info("backend reachable again")
			}
			w.down, w.probing = false, false
			w.mu.Unlock()
			return
		}
		if !w.down {
			w.down = true
			w.log.Warn("backend unreachable: failing /v1 requests fast until it is back", "error", err.Error())
			for _, cancel := range w.inflight {
				cancel(errBackendDown)
			}
		}
		if time.Since(w.lastKick) > watchIdleStop {
			w.probing = false
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
		time.Sleep(watchProbeEvery)
	}
}

func (w *depWatch) runOnce() error {
	ctx, cancel := context.WithTimeout(context.Background(), watchProbeFor)
	defer cancel()
	var errs []error
	for _, c := range w.checks {
		if err := c.Func(ctx); err != nil {
			errs = append(errs, errors.New(c.Name+": "+err.Error()))
		}
	}
	return errors.Join(errs...)
}

// track registers a running request's cancel function.
func (w *depWatch) track(cancel context.CancelCauseFunc) (untrack func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	id := w.nextID
	w.nextID++
	w.inflight[id] = cancel
	return func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		delete(w.inflight, id)
	}
}

// failFastMiddleware answers 503 at once while a critical dependency is
// down, lets the watch cut a running request short when it finds one
// down, and starts a probe when a request is slow or failed transiently.
// With or without critical checks, a transient failure (isTransient)
// becomes 503 with Retry-After instead of 500.
func (s *server) failFastMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	w := s.watch
	return func(c echo.Context) error {
		watching := len(w.checks) > 0
		if watching && w.isDown() {
			w.kick()
			return problem(CodeUnavailable, "a backend is unreachable; retry after the Retry-After interval")
		}
		ctx, cancel := context.WithCancelCause(c.Request().Context())
		defer cancel(nil)
		c.SetRequest(c.Request().WithContext(ctx))
		if watching {
			defer w.track(cancel)()
			slow := time.AfterFunc(watchSlowAfter, w.kick)
			defer slow.Stop()
		}
		err := next(c)
		if isTransient(ctx, err) {
			if watching {
				w.kick()
			}
			// A failure the domain already classified (change_pending,
			// contention...) keeps its code; an unclassified one is 503.
			if toProblem(err).Code == CodeInternal {
				return &unavailableError{cause: err}
			}
		}
		return err
	}
}

// unavailableError is a request's failure classified as transient
// (isTransient) while its context was still live: 503 with Retry-After.
// The cause is kept for the log, never shown to the client.
type unavailableError struct{ cause error }

func (e *unavailableError) Error() string { return "backend unavailable: " + e.cause.Error() }
func (e *unavailableError) Unwrap() error { return e.cause }
