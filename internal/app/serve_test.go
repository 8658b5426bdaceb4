package app

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/roomgate/roomgate/internal/config"
)

// TestGracefulShutdownFinishesInFlightRequests starts a request that takes
// 300 ms, cancels the server's context while it runs, and checks that the
// request still completes with its full answer, that new connections are
// refused afterwards, and that Serve returns only after the request ended.
func TestGracefulShutdownFinishesInFlightRequests(t *testing.T) {
	started := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(300 * time.Millisecond)
		_, _ = io.WriteString(w, "finished")
	})
	cfg := config.Default()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv := NewHTTPServer(cfg, h, slog.New(slog.DiscardHandler))
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, srv, ln, 5*time.Second) }()

	type result struct {
		body string
		err  error
	}
	resc := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			resc <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		resc <- result{string(b), err}
	}()
	<-started
	cancel()
	select {
	case err := <-done:
		t.Fatalf("Serve returned (%v) while a request was in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	r := <-resc
	if r.err != nil || r.body != "finished" {
		t.Fatalf("in-flight request: %q, %v", r.body, r.err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Fatal("the listener still accepts connections after shutdown")
	}
}

func TestServerHasEveryTimeout(t *testing.T) {
	srv := NewHTTPServer(config.Default(), http.NotFoundHandler(), slog.New(slog.DiscardHandler))
	if srv.ReadHeaderTimeout == 0 || srv.ReadTimeout == 0 || srv.WriteTimeout == 0 || srv.IdleTimeout == 0 || srv.MaxHeaderBytes == 0 {
		t.Fatalf("server = %+v", srv)
	}
}

func TestRunRefusesUnsafeEmulatorConfig(t *testing.T) {
	cfg := config.Default()
	cfg.ProjectID = "my-prod"
	cfg.AuthEmulatorHost = "127.0.0.1:9099"
	err := Run(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err == nil {
		t.Fatal("Run started with an emulator host for a production project")
	}
}
