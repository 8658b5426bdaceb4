package devstack

// service.go runs the roomgate service in-process against the embedded
// emulators.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"

	"github.com/roomgate/roomgate/emulator/embedded"
	"github.com/roomgate/roomgate/internal/app"
	"github.com/roomgate/roomgate/internal/config"
)

// localService is the roomgate service running in-process against the
// embedded emulators.
type localService struct {
	Svc *app.Service
	// URL is the service's base URL, http://host:port.
	URL string

	cancel context.CancelFunc
	done   chan error
	// swept is closed when the deletion sweeper has stopped.
	swept chan struct{}
}

// DevCORSOrigins are the origins whose pages may call the local service
// from a browser when ROOMGATE_CORS_ORIGINS is not set: the usual ports of
// web dev servers (Create React App and Next.js 3000, Vite 5173, Angular
// 4200, Expo web 8081 and 19006), on localhost and 127.0.0.1. `serve`
// allows none unless configured.
var DevCORSOrigins = devOrigins(3000, 4200, 5173, 8081, 19006)

func devOrigins(ports ...int) []string {
	var out []string
	for _, host := range []string{"localhost", "127.0.0.1"} {
		for _, p := range ports {
			out = append(out, fmt.Sprintf("http://%s:%d", host, p))
		}
	}
	return out
}

// startService builds the service for the emulators in emu, listens on
// addr and serves in the background until stop. Every ROOMGATE_*
// variable still applies (rate limits, log level...), except the project,
// the address and the emulator hosts, which point at emu.
func startService(emu *embedded.Emulators, addr string, logOut io.Writer) (*localService, error) {
	overlay := map[string]string{
		config.EnvPrefix + "PROJECT_ID": emu.ProjectID,
		config.EnvPrefix + "ADDR":       addr,
		"FIRESTORE_EMULATOR_HOST":       emu.FirestoreAddr,
		"FIREBASE_AUTH_EMULATOR_HOST":   emu.AuthAddr,
	}
	if emu.FCM != nil {
		overlay[config.EnvPrefix+"FCM_EMULATOR_HOST"] = emu.FCMAddr
	}
	if os.Getenv(config.EnvPrefix+"LOG_FORMAT") == "" {
		overlay[config.EnvPrefix+"LOG_FORMAT"] = "text"
	}
	if _, set := os.LookupEnv(config.EnvPrefix + "CORS_ORIGINS"); !set {
		overlay[config.EnvPrefix+"CORS_ORIGINS"] = strings.Join(DevCORSOrigins, ",")
	}
	getenv := func(k string) string {
		if v, ok := overlay[k]; ok {
			return v
		}
		return os.Getenv(k)
	}
	cfg, err := config.Load(nil, getenv, io.Discard)
	if err != nil {
		return nil, err
	}
	log := app.NewLogger(cfg, logOut)
	var svc *app.Service
	err = withEnv(emu.Env(), func() error {
		var err error
		svc, err = app.Build(context.Background(), cfg, log)
		return err
	})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		svc.Close()
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("service: %s is in use (another roomgate-dev?); pass --addr 127.0.0.1:0 for a free port: %w", cfg.Addr, err)
		}
		return nil, fmt.Errorf("service: listen on %s: %w", cfg.Addr, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ls := &localService{Svc: svc, URL: "http://" + ln.Addr().String(), cancel: cancel, done: make(chan error, 1), swept: make(chan struct{})}
	srv := app.NewHTTPServer(cfg, svc.Handler, log)
	go func() { ls.done <- app.Serve(ctx, srv, ln, cfg.ShutdownTimeout) }()
	go func() { // deleted rooms' messages, as `roomgate serve` does
		defer close(ls.swept)
		_ = svc.Sweeper.Run(ctx)
	}()
	return ls, nil
}

// Stop shuts the server down gracefully (in-flight requests finish) and
// closes the service's clients.
func (ls *localService) Stop() error {
	ls.cancel()
	err := <-ls.done
	<-ls.swept
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return errors.Join(err, ls.Svc.Close())
}
