// Package api is roomgate's HTTP API on Echo v4.
//
// New builds the *echo.Echo with every route (routes.go), the middleware
// chain (request IDs, metrics, logging, body limits, authentication, rate
// limits, admission checks) and the single error handler (errors.go) that
// turns every failure into an RFC 9457 problem+json body with a stable
// code. Handlers live one file per resource (rooms.go, me.go, admin.go,
// health.go) and talk to the domain through the small interfaces below, so
// they can be tested with fakes and driven end to end against the emulator.
package api

import (
	"context"
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/roomgate/roomgate/internal/authn"
	"github.com/roomgate/roomgate/internal/claims"
	"github.com/roomgate/roomgate/internal/rooms"
)

// RoomService is what the room handlers need; *rooms.Service implements it.
// Input is validated once: the handlers parse it with ParseCreate and
// ParseAdd (which apply the service's own Limits) or with rooms.ParseRoomID,
// rooms.ParseUID and rooms.ParseListQuery, and pass the validated values on.
type RoomService interface {
	ParseCreate(caller string, req rooms.CreateRequest) (rooms.NewRoom, error)
	ParseAdd(caller string, room rooms.RoomID, uids []string) (rooms.NewMembers, error)
	Create(ctx context.Context, actor rooms.Actor, req rooms.NewRoom, idem *rooms.Idempotency) (rooms.CreateResult, error)
	Get(ctx context.Context, caller string, room rooms.RoomID) (rooms.Room, error)
	List(ctx context.Context, caller string, q rooms.ListQuery) (rooms.Page, error)
	AddMembers(ctx context.Context, actor rooms.Actor, req rooms.NewMembers) (rooms.Room, []string, error)
	RemoveMember(ctx context.Context, actor rooms.Actor, room rooms.RoomID, target rooms.UID) (rooms.RemoveResult, error)
	Delete(ctx context.Context, actor rooms.Actor, room rooms.RoomID) error
}

// ClaimsService is what the claims handlers need; *claims.Manager
// implements it.
type ClaimsService interface {
	Admit(ctx context.Context, uid, requestID string) (claims.Result, error)
	SetRole(ctx context.Context, actor, requestID, target, role string) (claims.Result, error)
	Ban(ctx context.Context, actor, requestID, target string) (claims.Result, error)
	Unban(ctx context.Context, actor, requestID, target string) (claims.Result, error)
	// Restore lifts a deleted account's tombstone only, keeping a ban
	// from before the deletion.
	Restore(ctx context.Context, actor, requestID, target string) (claims.Result, error)
	// DeleteAccount deletes target's account (actor == target: the user
	// themselves); ErrChangePending when recorded but not finished.
	DeleteAccount(ctx context.Context, actor, requestID, target string) (claims.Result, error)
	// CurrentRole is the caller's role and ban state now, not as of the
	// token's minting; admin routes re-check with it.
	CurrentRole(ctx context.Context, uid string) (role string, banned bool, err error)
}

// Check is a named readiness probe: nil means the dependency is reachable.
type Check struct {
	Name string
	Func func(ctx context.Context) error
	// Critical marks a dependency every /v1 request needs: while its check
	// fails, /v1 answers 503 at once (see depwatch.go).
	Critical bool
}

// Deps are New's inputs. Verifier, Rooms and Claims are required.
type Deps struct {
	Verifier authn.Verifier
	Rooms    RoomService
	Claims   ClaimsService
	// Invites, RoomAdmin, Profiles and Moderation serve the chat-app
	// routes (invites, room management, profiles and lookup, blocks,
	// reports, the audit log); all are required.
	Invites    InviteService
	RoomAdmin  RoomAdminService
	Profiles   ProfileService
	Moderation ModerationService
	// GuessLimits are the dedicated limits of invite acceptance and email
	// lookup (zero value: DefaultGuessLimits; always on).
	GuessLimits GuessLimits
	// Ready lists what /readyz checks (Firestore and Auth in production).
	Ready []Check
	// Metrics is the Prometheus collector set; nil creates a fresh one.
	Metrics *Metrics
	// SeparateMetrics leaves GET /metrics off this handler: the caller
	// serves Metrics.Handler() on a listener of its own (see the
	// metrics-addr setting). False serves it here, unauthenticated.
	SeparateMetrics bool
	// Logger receives request logs and 5xx causes; nil discards.
	Logger *slog.Logger
	// MaxBodyBytes bounds request bodies (0: 64 KiB).
	MaxBodyBytes int64
	// RateLimit configures the per-uid limiter (zero value: no limits; the
	// service passes config's defaults, which are on).
	RateLimit RateConfig
	// CORSOrigins are the exact origins ("https://app.example.com") whose
	// pages may call the API from a browser; empty allows none.
	CORSOrigins []string
	// AuthFailures limits failed authentications per client address (zero
	// value: no limit; the service passes config's defaults, which are on).
	AuthFailures AuthFailureConfig
	// RequestTimeout bounds a /v1 request's work (0: 20s).
	RequestTimeout time.Duration
	// IdempotencyTTL is how long Idempotency-Keys are remembered (0: 24h).
	IdempotencyTTL time.Duration
	// ReauthWindow is how recent the caller's sign-in (the ID token's
	// auth_time) must be for DELETE /v1/me (0: DefaultReauthWindow).
	ReauthWindow time.Duration
	// Now is the clock for rate limiting; nil means time.Now.
	Now func() time.Time
	// Push serves the device, mute and Eventarc routes; nil disables them
	// (404 not_found).
	Push PushService
}

// server carries the dependencies into handlers.
type server struct {
	Deps
	log      *slog.Logger
	metrics  *Metrics
	limiter  *limiter
	failures *failLimiter
	guards   guardLimiters
	watch    *depWatch
	ready    readyState
}

// New returns the configured Echo instance.
func New(d Deps) *echo.Echo {
	_, e := newServer(d)
	return e
}

// newServer is New, also returning the server behind the handler.
func newServer(d Deps) (*server, *echo.Echo) {
	if d.MaxBodyBytes == 0 {
		d.MaxBodyBytes = 64 << 10
	}
	if d.RequestTimeout == 0 {
		d.RequestTimeout = 20 * time.Second
	}
	if d.IdempotencyTTL == 0 {
		d.IdempotencyTTL = 24 * time.Hour
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &server{Deps: d, log: d.Logger, metrics: d.Metrics}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.metrics == nil {
		s.metrics = NewMetrics()
	}
	s.limiter = newLimiter(d.RateLimit, d.Now)
	s.failures = newFailLimiter(d.AuthFailures, d.Now)
	s.guards = newGuardLimiters(d.GuessLimits, d.Now)
	s.watch = newDepWatch(d.Ready, s.log)

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.errorHandler
	// Echo's default 404/405 handlers return *echo.HTTPError, which the
	// error handler maps to problem+json like everything else.
	s.routes(e)
	return s, e
}
