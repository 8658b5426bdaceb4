package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
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
// cancelled (SIGINT/SIGTERM in main), shut down gracefully.
func Run(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	svc, err := Build(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer svc.Close()
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
	log.Info("roomgate serving", "addr", ln.Addr().String(), "project", cfg.ProjectID,
		"emulated", cfg.Emulated(), "max_members", cfg.MaxMembers, "rate_limit", cfg.RateLimit)
	err = Serve(ctx, NewHTTPServer(cfg, svc.Handler, log), ln, cfg.ShutdownTimeout)
	log.Info("roomgate stopped", "error", err)
	return err
}
