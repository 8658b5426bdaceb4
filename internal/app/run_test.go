package app_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"firebase.google.com/go/v4/auth"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/roomgate/roomgate/emulator/emutest"
	"github.com/roomgate/roomgate/internal/app"
	"github.com/roomgate/roomgate/internal/claims"
	"github.com/roomgate/roomgate/internal/config"
)

// TestRunFinishesAChangeLeftPending: a ban was recorded by an instance
// that died before applying any of it. Run's reconciler, started with the
// service, applies it: banned claim set, refresh tokens revoked, the
// marker gone.
func TestRunFinishesAChangeLeftPending(t *testing.T) {
	emu := emutest.Start(t, emutest.ProjectID("demo-roomgate"), emutest.Quiet())
	cfg := runConfig(t, emu)
	ctx := context.Background()
	ac, fs := emu.AdminAuth(t), emu.AdminClient(t)
	if _, err := ac.CreateUser(ctx, (&auth.UserToCreate{}).UID("u")); err != nil {
		t.Fatal(err)
	}
	if err := ac.SetCustomUserClaims(ctx, "u", map[string]any{"chat": true}); err != nil {
		t.Fatal(err)
	}
	st := &claims.FirestoreState{Client: fs}
	now := time.Now()
	if _, err := st.Update(ctx, "u", claims.Desired{Chat: true}, func(d *claims.Desired) (bool, error) {
		d.Banned, d.Chat = true, false
		return true, nil
	}, claims.AuditInfo{Actor: "admin", Action: "user.banned", Time: now}, now); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- app.Run(rctx, cfg, slog.New(slog.DiscardHandler)) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		u, err := ac.GetUser(ctx, "u")
		if err != nil {
			t.Fatal(err)
		}
		_, perr := fs.Collection("privilegeChanges").Doc("u").Get(ctx)
		if u.CustomClaims["banned"] == true && u.CustomClaims["chat"] == nil && u.TokensValidAfterMillis > 0 && status.Code(perr) == codes.NotFound {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the pending ban was not applied: claims %v, marker lookup %v", u.CustomClaims, perr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runConfig is the service's configuration for emu, on a free port.
func runConfig(t *testing.T, emu *emutest.Emulators) config.Config {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	env := map[string]string{"ROOMGATE_PROJECT_ID": "demo-roomgate", "ROOMGATE_ADDR": addr}
	for _, kv := range emu.Env() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
		t.Setenv(k, v)
	}
	cfg, err := config.Load(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestRunServesUntilCancelled runs `roomgate serve`'s Run against the
// in-process emulators: it becomes ready, answers, and returns cleanly
// when its context is cancelled (SIGTERM in main).
func TestRunServesUntilCancelled(t *testing.T) {
	addr := freeAddr(t)
	stop := startRun(t, startEmulators(t), map[string]string{"ROOMGATE_ADDR": addr})
	if code, _ := get(t, "http://"+addr+"/v1/rooms"); code != 401 {
		t.Fatalf("unauthenticated /v1/rooms = %d", code)
	}
	if code, body := get(t, "http://"+addr+"/metrics"); code != 200 || !strings.Contains(body, "roomgate_http_requests_total") {
		t.Fatalf("/metrics on the API address = %d", code)
	}
	stop()
}

// TestRunServesMetricsOnTheirOwnAddress: with metrics-addr set, /metrics
// moves to that listener and the public one no longer has it.
func TestRunServesMetricsOnTheirOwnAddress(t *testing.T) {
	addr, maddr := freeAddr(t), freeAddr(t)
	stop := startRun(t, startEmulators(t), map[string]string{"ROOMGATE_ADDR": addr, "ROOMGATE_METRICS_ADDR": maddr})
	get(t, "http://"+addr+"/healthz")
	if code, body := get(t, "http://"+maddr+"/metrics"); code != 200 || !strings.Contains(body, "roomgate_http_requests_total") {
		t.Fatalf("/metrics on the metrics address = %d %.200s", code, body)
	}
	if code, _ := get(t, "http://"+addr+"/metrics"); code != 404 {
		t.Fatalf("/metrics on the API address = %d, want 404", code)
	}
	if code, _ := get(t, "http://"+maddr+"/v1/rooms"); code != 404 {
		t.Fatalf("the API on the metrics address = %d, want 404", code)
	}
	stop()
	if _, err := http.Get("http://" + maddr + "/metrics"); err == nil {
		t.Fatal("the metrics listener is still open after Run returned")
	}
}

// startRun starts app.Run with env (over emu's variables) and
// waits until /readyz reports Firestore ok; stop cancels it and checks
// that Run returns cleanly.
func startRun(t *testing.T, emu *emutest.Emulators, env map[string]string) (stop func()) {
	t.Helper()
	env["ROOMGATE_PROJECT_ID"] = "demo-roomgate"
	for _, kv := range emu.Env() {
		k, v, _ := strings.Cut(kv, "=")
		if _, set := env[k]; !set {
			env[k] = v
		}
		t.Setenv(k, env[k])
	}
	cfg, err := config.Load(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx, cfg, slog.New(slog.DiscardHandler)) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + env["ROOMGATE_ADDR"] + "/readyz")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 && strings.Contains(string(b), `"firestore":"ok"`) {
				break
			}
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("not ready: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return func() {
		t.Helper()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after cancel")
		}
	}
}

// freeAddr is a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func startEmulators(t *testing.T) *emutest.Emulators {
	return emutest.Start(t, emutest.ProjectID("demo-roomgate"), emutest.Quiet())
}
