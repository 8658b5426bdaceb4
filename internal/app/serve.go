package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/roomgate/roomgate/internal/config"
)

// NewHTTPServer returns an http.Server for h with cfg's timeouts. Every
// timeout is set: a server without ReadHeaderTimeout is open to slowloris.
func NewHTTPServer(cfg config.Config, h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// Serve runs srv on ln until ctx is done, then shuts down gracefully: the
// listener closes at once, in-flight requests get up to shutdownTimeout to
// finish, and Serve returns after they did (or the time ran out).
func Serve(ctx context.Context, srv *http.Server, ln net.Listener, shutdownTimeout time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("app: shutdown: %w", err)
	}
	return nil
}

// Run is `roomgate serve`: build, listen on cfg.Addr, serve until ctx is
// cancelled (SIGINT/SIGTERM in main), shut down gracefully. Background
// workers run alongside and stop before the clients close: the deletion
// sweeper (first resuming what earlier instances left), the claims
// reconciler (a change it was applying keeps its marker and is finished by
// another instance or the next start) and, unless its interval is 0, the
// device GC.
func Run(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	svc, err := Build(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer svc.Close()
	bctx, stopBackground := context.WithCancel(ctx)
	var background sync.WaitGroup
	background.Add(2)
	go func() {
		defer background.Done()
		_ = svc.Sweeper.Run(bctx)
	}()
	go func() {
		defer background.Done()
		svc.Claims.RunReconciler(bctx, cfg.ReconcileInterval, log)
	}()
	if cfg.DeviceGCInterval > 0 {
		background.Add(1)
		go func() {
			defer background.Done()
			svc.DeviceGC.Run(bctx, cfg.DeviceGCInterval)
		}()
	}
	defer func() {
		stopBackground()
		background.Wait()
	}()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("app: listen: %w", err)
	}
	if cfg.PushListener {
		go func() {
			if err := svc.Push.Listen(ctx, svc.Firestore); err != nil {
				log.Error("push listener stopped", "err", err)
			}
		}()
	}
	if cfg.MetricsAddr == "" {
		log.Info("roomgate serving", "addr", ln.Addr().String(), "project", cfg.ProjectID,
			"emulated", cfg.Emulated(), "max_members", cfg.MaxMembers, "rate_limit", cfg.RateLimit)
		err = Serve(ctx, NewHTTPServer(cfg, svc.Handler, log), ln, cfg.ShutdownTimeout)
		log.Info("roomgate stopped", "error", err)
		return err
	}
	mln, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		ln.Close()
		return fmt.Errorf("app: listen for metrics: %w", err)
	}
	log.Info("roomgate serving", "addr", ln.Addr().String(), "metrics_addr", mln.Addr().String(), "project", cfg.ProjectID,
		"emulated", cfg.Emulated(), "max_members", cfg.MaxMembers, "rate_limit", cfg.RateLimit)
	err = ServeWithMetrics(ctx, cfg, svc.Handler, svc.Metrics.Handler(), ln, mln, log)
	log.Info("roomgate stopped", "error", err)
	return err
}

// ServeWithMetrics serves api on ln and metrics (GET /metrics only) on mln
// until ctx is done; either server failing stops both.
func ServeWithMetrics(ctx context.Context, cfg config.Config, api, metrics http.Handler, ln, mln net.Listener, log *slog.Logger) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 2)
	go func() {
		errc <- Serve(ctx, NewHTTPServer(cfg, mux, log), mln, cfg.ShutdownTimeout)
		cancel()
	}()
	err := Serve(ctx, NewHTTPServer(cfg, api, log), ln, cfg.ShutdownTimeout)
	cancel()
	if merr := <-errc; err == nil {
		err = merr
	}
	return err
}
