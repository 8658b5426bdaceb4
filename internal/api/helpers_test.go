package api

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// contextT shortens check signatures in tests.
type contextT = context.Context

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

// atomicBool is a bool shared between a test and a check it installed.
type atomicBool struct {
	mu sync.Mutex
	v  bool
}

func (b *atomicBool) set(v bool) { b.mu.Lock(); b.v = v; b.mu.Unlock() }
func (b *atomicBool) get() bool  { b.mu.Lock(); defer b.mu.Unlock(); return b.v }

// watchDown reports whether the harness's dependency watch sees a backend down.
func (h *harness) watchDown() bool { return h.srv.watch.isDown() }

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
