// Package app wires roomgate together: it builds the Firestore and
// Firebase Auth clients from a config.Config, the domain services on top
// of them, the HTTP handler of internal/api, and runs it in an
// http.Server with timeouts and graceful shutdown.
//
// cmd/roomgate only parses arguments and calls Run (serve) or GrantRole
// (admin); tests and the dev subcommand call Build to get the handler.
package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"cloud.google.com/go/firestore"
	firebase "firebase.google.com/go/v4"
	"firebase.google.com/go/v4/auth"
	"github.com/labstack/echo/v4"
	"google.golang.org/api/option"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/roomgate/roomgate/internal/api"
	"github.com/roomgate/roomgate/internal/authn"
	"github.com/roomgate/roomgate/internal/claims"
	"github.com/roomgate/roomgate/internal/config"
	"github.com/roomgate/roomgate/internal/moderation"
	"github.com/roomgate/roomgate/internal/profiles"
	"github.com/roomgate/roomgate/internal/push"
	"github.com/roomgate/roomgate/internal/rooms"
	"github.com/roomgate/roomgate/internal/schema"
)

// Service is a built roomgate: the handler and the clients behind it.
type Service struct {
	Handler   *echo.Echo
	Firestore *firestore.Client
	Auth      *auth.Client
	Rooms     *rooms.Service
	Claims    *claims.Manager
	Metrics   *api.Metrics
	// Sweeper finishes room deletions in the background. Run runs it for
	// the server's lifetime; whoever serves Handler otherwise should run it
	// too (until then deleted rooms keep their tombstones, and their
	// messages, unreachable, wait for an instance that does).
	Sweeper *rooms.Sweeper
	// Push is the push notifier (devices, mutes, fan-out).
	Push *Push
	// DeviceGC drops devices of users deleted outside roomgate; Run runs
	// it every cfg.DeviceGCInterval.
	DeviceGC *DeviceGC
}

// Close releases the clients.
func (s *Service) Close() error {
	return s.Firestore.Close()
}

// NewLogger returns the service's structured logger per cfg.
func NewLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(strings.ToUpper(cfg.LogLevel)))
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// Clients creates the Firestore and Auth clients for cfg. With the
// emulator variables set (allowed only for demo- projects, see
// config.CheckEmulatorSafety) both talk to the emulators without
// credentials.
func Clients(ctx context.Context, cfg config.Config) (*firestore.Client, *auth.Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	// The SDKs read the emulator variables from the process environment
	// themselves, so check those too, not only cfg's copies: a Config
	// built by hand or loaded through another getenv must not be a way
	// around the refusal.
	if err := config.CheckEmulatorSafety(cfg.ProjectID, os.Getenv("FIRESTORE_EMULATOR_HOST"), os.Getenv("FIREBASE_AUTH_EMULATOR_HOST")); err != nil {
		return nil, nil, err
	}
	var opts []option.ClientOption
	if cfg.CredentialsFile != "" && !cfg.Emulated() {
		opts = append(opts, option.WithAuthCredentialsFile(option.ServiceAccount, cfg.CredentialsFile))
	}
	fsOpts, err := firestoreDialOptions(os.Getenv("FIRESTORE_EMULATOR_HOST"))
	if err != nil {
		return nil, nil, err
	}
	fs, err := firestore.NewClient(ctx, cfg.ProjectID, append(opts, fsOpts...)...)
	if err != nil {
		return nil, nil, fmt.Errorf("app: firestore client: %w", err)
	}
	fb, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: cfg.ProjectID}, opts...)
	if err != nil {
		fs.Close()
		return nil, nil, fmt.Errorf("app: firebase app: %w", err)
	}
	ac, err := fb.Auth(ctx)
	if err != nil {
		fs.Close()
		return nil, nil, fmt.Errorf("app: firebase auth client: %w", err)
	}
	return fs, ac, nil
}

// Build creates the clients and the HTTP handler for cfg.
func Build(ctx context.Context, cfg config.Config, log *slog.Logger) (*Service, error) {
	fs, ac, err := Clients(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return Assemble(cfg, fs, ac, log), nil
}

// Assemble wires the services and the handler on existing clients.
func Assemble(cfg config.Config, fs *firestore.Client, ac *auth.Client, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	limits := rooms.Limits{MaxMembers: cfg.MaxMembers, MaxTitleRunes: cfg.MaxTitleRunes}
	store := &rooms.FirestoreStore{Client: fs, MaxAttempts: cfg.TxnMaxAttempts}
	sweeper := &rooms.Sweeper{Store: store, Logger: log}
	rs := &rooms.Service{
		Store:     store,
		Directory: &rooms.FirebaseDirectory{Auth: ac},
		Limits:    limits,
		Sweeper:   sweeper,
	}
	m := api.NewMetrics()
	p := newPush(cfg, fs, m, log)
	cm := &claims.Manager{
		Auth:                 ac,
		State:                &claims.FirestoreState{Client: fs, MaxAttempts: cfg.TxnMaxAttempts},
		Ejector:              rooms.BanEjector{Rooms: rs},
		Devices:              p.Devices,
		Eraser:               eraser{fs: fs},
		RequireEmailVerified: cfg.RequireEmailVerified,
	}
	// Validate (in Clients) has refused a malformed list already.
	origins, _ := cfg.CORSOriginList()
	e := api.New(api.Deps{
		Verifier: &authn.Firebase{Client: ac},
		Rooms:    rs,
		Claims:   cm,
		Push:     p,
		// The chat-app services share the rooms store (and so its
		// per-room queue of membership transactions).
		Invites:    &rooms.Invites{Store: store, Rooms: store, Limits: limits, InviteLimits: InviteLimits(cfg)},
		RoomAdmin:  &rooms.Management{Store: store, Rooms: store, Limits: limits},
		Profiles:   &profiles.Service{Store: &profiles.FirestoreStore{Client: fs}},
		Moderation: &moderation.Service{Store: &moderation.FirestoreStore{Client: fs}},
		Ready:      readiness(fs, ac),
		Metrics:    m,
		// cfg.MetricsAddr: Run serves m on its own listener.
		SeparateMetrics: cfg.MetricsAddr != "",
		Logger:          log,
		RateLimit: api.RateConfig{
			Rate: cfg.RateLimit, Burst: cfg.RateBurst,
			MutationRate: cfg.MutationRate, MutationBurst: cfg.MutationBurst,
		},
		CORSOrigins: origins,
		GuessLimits: GuessLimits(cfg),
		AuthFailures: api.AuthFailureConfig{
			Rate: cfg.AuthFailureRate, Burst: cfg.AuthFailureBurst, TrustedProxies: cfg.TrustedProxies,
		},
		MaxBodyBytes:   cfg.MaxBodyBytes,
		RequestTimeout: cfg.RequestTimeout,
		IdempotencyTTL: cfg.IdempotencyTTL,
		ReauthWindow:   cfg.ReauthWindow,
	})
	gc := &DeviceGC{Devices: p.Devices, Auth: ac, Logger: log}
	return &Service{Handler: e, Firestore: fs, Auth: ac, Rooms: rs, Claims: cm, Metrics: m, Sweeper: sweeper, Push: p, DeviceGC: gc}
}

// readinessProbeID is a document and uid that never exist; reading them
// proves the dependency answers without touching real data.
const readinessProbeID = "roomgate-readiness-probe"

func readiness(fs *firestore.Client, ac *auth.Client) []api.Check {
	return []api.Check{
		{Name: "firestore", Critical: true, Func: func(ctx context.Context) error {
			_, err := fs.Collection(schema.Readiness).Doc(readinessProbeID).Get(ctx)
			if err == nil || status.Code(err) == codes.NotFound {
				return nil
			}
			return err
		}},
		{Name: "auth", Func: func(ctx context.Context) error {
			_, err := ac.GetUser(ctx, readinessProbeID)
			if err == nil || auth.IsUserNotFound(err) {
				return nil
			}
			return err
		}},
	}
}

// GrantRole sets uid's role claim with the service's own credentials: the
// admin subcommand, used to bootstrap the first admin. The audit record's
// actor is "cli:<actor>".
func GrantRole(ctx context.Context, cfg config.Config, uid, role, actor string) (claims.Result, error) {
	if !schema.ValidUID(uid) {
		return claims.Result{}, fmt.Errorf("app: %q is not a valid uid", uid)
	}
	if !claims.ValidRole(role) {
		return claims.Result{}, fmt.Errorf("app: role must be one of %s", strings.Join(claims.Roles, ", "))
	}
	fs, ac, err := Clients(ctx, cfg)
	if err != nil {
		return claims.Result{}, err
	}
	defer fs.Close()
	// The ejector, device dropper and eraser too: a ban of the same user
	// may still be pending, and finishing it is part of settling this
	// change.
	rs := &rooms.Service{
		Store:     &rooms.FirestoreStore{Client: fs, MaxAttempts: cfg.TxnMaxAttempts},
		Directory: &rooms.FirebaseDirectory{Auth: ac},
		Limits:    rooms.Limits{MaxMembers: cfg.MaxMembers, MaxTitleRunes: cfg.MaxTitleRunes},
	}
	cm := &claims.Manager{
		Auth: ac, State: &claims.FirestoreState{Client: fs, MaxAttempts: cfg.TxnMaxAttempts},
		Ejector: rooms.BanEjector{Rooms: rs}, Devices: &push.Devices{Client: fs}, Eraser: eraser{fs: fs},
	}
	return cm.SetRole(ctx, "cli:"+actor, "cli-"+time.Now().UTC().Format("20060102T150405Z"), uid, role)
}
