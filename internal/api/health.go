package api

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// healthz is liveness: the process serves HTTP. It checks nothing else, so
// an orchestrator does not restart us for a Firestore outage.
func (s *server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyCacheFor keeps /readyz (unauthenticated) from turning into a way to
// make us hammer Firestore and Auth: results are reused for this long.
const readyCacheFor = time.Second

// readyTimeout bounds each dependency check.
const readyTimeout = 2 * time.Second

// readyState caches the last readiness result.
type readyState struct {
	mu     sync.Mutex // guards at, ok and checks
	at     time.Time
	ok     bool
	checks map[string]string
}

func (s *server) readyz(c echo.Context) error {
	st := &s.ready
	st.mu.Lock()
	defer st.mu.Unlock()
	if time.Since(st.at) > readyCacheFor || st.checks == nil {
		// The checks run on a context detached from this caller: the result
		// is shared with every probe for readyCacheFor, so a client that
		// hangs up at once must not record "unavailable" for all of them
		// (an unauthenticated way to take the instance out of rotation).
		st.ok, st.checks = s.runChecks(context.WithoutCancel(c.Request().Context()))
		st.at = time.Now()
		if !st.ok {
			s.watch.kick() // a critical dependency may be down: confirm and fail fast
		}
	}
	status, word := http.StatusOK, "ok"
	if !st.ok {
		status, word = http.StatusServiceUnavailable, "unavailable"
	}
	return c.JSON(status, map[string]any{"status": word, "checks": st.checks})
}

// runChecks runs every check in parallel. Failures report "unavailable"
// only; the cause goes to the log, not to an unauthenticated caller.
func (s *server) runChecks(ctx context.Context) (bool, map[string]string) {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	out := make(map[string]string, len(s.Ready))
	var mu sync.Mutex
	var wg sync.WaitGroup
	ok := true
	for _, chk := range s.Ready {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := chk.Func(ctx)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				ok = false
				out[chk.Name] = "unavailable"
				s.log.Warn("readiness check failed", "check", chk.Name, "error", err.Error())
				return
			}
			out[chk.Name] = "ok"
		}()
	}
	wg.Wait()
	return ok, out
}
