package api

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestTransientFailuresAre503: a backend that is unreachable or overloaded
// answers 503 "unavailable" with Retry-After on every route, not 500; a
// genuine internal error stays 500.
func TestTransientFailuresAre503(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want int
	}{
		{"gRPC UNAVAILABLE", status.Error(codes.Unavailable, "connection refused"), 503},
		{"wrapped gRPC UNAVAILABLE", fmt.Errorf("rooms: list: %w", status.Error(codes.Unavailable, "x")), 503},
		{"gRPC RESOURCE_EXHAUSTED", status.Error(codes.ResourceExhausted, "quota"), 503},
		{"a backend's own DEADLINE_EXCEEDED", status.Error(codes.DeadlineExceeded, "backend deadline"), 503},
		{"a network error", fmt.Errorf("auth: %w", &net.OpError{Op: "dial", Err: errors.New("refused")}), 503},
		{"an internal error", errors.New("bug"), 500},
		{"gRPC INTERNAL", status.Error(codes.Internal, "x"), 500},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.rooms.err = c.err
			for _, r := range []struct{ method, path, body string }{
				{"GET", "/v1/rooms", ""},
				{"GET", "/v1/rooms/" + roomA, ""},
				{"DELETE", "/v1/rooms/" + roomA, ""},
				{"POST", "/v1/rooms", `{"members":["bob"],"kind":"group"}`},
			} {
				rec := h.do(r.method, r.path, "tok-alice", r.body, nil, "")
				if rec.Code != c.want {
					t.Fatalf("%s %s = %d %s, want %d", r.method, r.path, rec.Code, rec.Body, c.want)
				}
				if c.want == 503 && (rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), `"code":"unavailable"`)) {
					t.Fatalf("%s %s: Retry-After %q body %s", r.method, r.path, rec.Header().Get("Retry-After"), rec.Body)
				}
			}
		})
	}
}

// TestRequestDeadlineIsATimeoutNotAnOutage: DEADLINE_EXCEEDED caused by
// the request's own deadline is the timeout code, not "unavailable".
func TestRequestDeadlineIsATimeoutNotAnOutage(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if isTransient(ctx, status.Error(codes.DeadlineExceeded, "x")) {
		t.Fatal("the request's own deadline counted as a backend outage")
	}
	if !isTransient(context.Background(), status.Error(codes.DeadlineExceeded, "x")) {
		t.Fatal("a backend's deadline not counted as transient")
	}
}

// TestWatchFailsFastWhileDownAndRecovers drives the dependency watch with
// a check that is made to fail and pass: while it fails /v1 answers 503
// without reaching the room service; once it passes, requests go through.
func TestWatchFailsFastWhileDownAndRecovers(t *testing.T) {
	var down atomicBool
	h := newHarness(t, func(d *Deps) {
		d.Ready = []Check{{Name: "firestore", Critical: true, Func: func(context.Context) error {
			if down.get() {
				return errors.New("unreachable")
			}
			return nil
		}}}
	})
	down.set(true)
	h.rooms.err = status.Error(codes.Unavailable, "x")
	if rec := h.do("GET", "/v1/rooms", "tok-alice", "", nil, ""); rec.Code != 503 {
		t.Fatalf("first failure = %d", rec.Code)
	}
	waitFor(t, h.watchDown)
	calls := len(h.rooms.Calls())
	for i := 0; i < 3; i++ {
		if rec := h.do("GET", "/v1/rooms", "tok-alice", "", nil, ""); rec.Code != 503 || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("while down = %d", rec.Code)
		}
	}
	if n := len(h.rooms.Calls()); n != calls {
		t.Fatalf("requests reached the room service while the backend was down (%d calls)", n-calls)
	}
	down.set(false)
	h.rooms.err = nil
	waitFor(t, func() bool { return !h.watchDown() })
	if rec := h.do("GET", "/v1/rooms", "tok-alice", "", nil, ""); rec.Code != 200 {
		t.Fatalf("after recovery = %d", rec.Code)
	}
}
