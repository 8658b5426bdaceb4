package api

import (
	"context"
	"net/http/httptest"
	"testing"
)

// TestReadinessIgnoresAClientThatHangsUp: a probe whose client is already
// gone must neither fail the checks nor leave a cached failure behind for
// the next (real) probe.
func TestReadinessIgnoresAClientThatHangsUp(t *testing.T) {
	h := newHarness(t, func(d *Deps) {
		d.Ready = []Check{{Name: "firestore", Func: func(ctx context.Context) error { return ctx.Err() }}}
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest("GET", "/readyz", nil).WithContext(ctx)
	h.e.ServeHTTP(httptest.NewRecorder(), req)

	rec := h.do("GET", "/readyz", "", "", nil, "")
	if rec.Code != 200 {
		t.Fatalf("readyz after a hung-up probe = %d %s", rec.Code, rec.Body)
	}
}
