// Package config loads and validates the service's configuration.
//
// Every setting has an environment variable and a flag of the same meaning;
// a flag wins over its variable, which wins over the default. Defaults are
// the safe production choice (rate limits on, timeouts set). Validate also
// performs the emulator-safety check: with FIRESTORE_EMULATOR_HOST or
// FIREBASE_AUTH_EMULATOR_HOST set, the Admin SDK skips ID-token signature
// checks, so the service refuses to start unless the project ID starts
// with "demo-" (a project that cannot have live resources).
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MaxMembersCeiling bounds -max-members: a room's deletion removes every
// member in one commit, and Firestore documents 500 writes per commit
// (the rooms package's CeilingMembers, which a test keeps equal).
const MaxMembersCeiling = 240

// Config is the service's whole configuration.
type Config struct {
	// ProjectID is the Firebase/Google Cloud project.
	ProjectID string
	// Addr is the listen address of the HTTP server.
	Addr string
	// MetricsAddr, when set, moves GET /metrics off Addr to a listener of
	// its own (e.g. 127.0.0.1:9090 or an internal interface), so the public
	// port does not expose them. Empty serves them on Addr.
	MetricsAddr string
	// CredentialsFile is a service-account JSON file; empty means
	// Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, the
	// metadata server, gcloud). Ignored for emulators.
	CredentialsFile string

	// FirestoreEmulatorHost and AuthEmulatorHost mirror the standard
	// variables; the clients read the variables themselves, these copies are
	// only for the safety check and for logging.
	FirestoreEmulatorHost string
	AuthEmulatorHost      string

	// MaxMembers caps a room's membership, the owner included.
	MaxMembers int
	// MaxTitleRunes bounds a room title (0..120 characters by default).
	MaxTitleRunes int
	// MaxBodyBytes bounds request bodies (413 above it).
	MaxBodyBytes int64
	// RequireEmailVerified makes POST /v1/me/claims refuse unverified emails.
	RequireEmailVerified bool

	// RateLimit and RateBurst: per-uid token bucket for every /v1 request,
	// in requests per second. A RateLimit of 0 disables limiting.
	RateLimit float64
	RateBurst int
	// MutationRate and MutationBurst: a second, stricter bucket for
	// non-GET requests. A MutationRate of 0 disables it.
	MutationRate  float64
	MutationBurst int
	// CORSOrigins is a comma-separated list of exact origins
	// ("https://app.example.com") whose pages may call the API from a
	// browser; empty (the default) allows none. See CORSOriginList.
	CORSOrigins string
	// AuthFailureRate and AuthFailureBurst bound failed authentications
	// per client address (0 rate = off); TrustedProxies says how many
	// proxies in front append to X-Forwarded-For, so the client's address
	// can be told apart (0: the connection's address, the header ignored).
	AuthFailureRate  float64
	AuthFailureBurst int
	TrustedProxies   int

	// HTTP server timeouts.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	// RequestTimeout bounds a handler's work (Firestore and Auth calls).
	RequestTimeout time.Duration
	// ShutdownTimeout bounds graceful shutdown: in-flight requests get this
	// long to finish after SIGTERM.
	ShutdownTimeout time.Duration

	// TxnMaxAttempts is how often a contended Firestore transaction is
	// retried before the request fails with 503.
	TxnMaxAttempts int
	// IdempotencyTTL is how long an Idempotency-Key is remembered.
	IdempotencyTTL time.Duration
	// ReconcileInterval is how often the claims reconciler looks for
	// privilege changes (admission, role, ban) that a request recorded but
	// could not finish applying.
	ReconcileInterval time.Duration
	// ReauthWindow is how recent the caller's sign-in (the ID token's
	// auth_time) must be for DELETE /v1/me.
	ReauthWindow time.Duration
	// DeviceGCInterval is how often the push devices of users deleted
	// outside roomgate are looked for and dropped; 0 turns it off. The
	// first pass runs one interval after start.
	DeviceGCInterval time.Duration

	// Invites (internal/rooms.InviteLimits): the lifetime and use count a
	// new invite gets when the request names none, and the most a request
	// may ask for. MinInviteTTL..MaxInviteTTLCeiling and
	// 1..MaxInviteUsesCeiling bound what may be configured.
	InviteDefaultTTL  time.Duration
	InviteMaxTTL      time.Duration
	InviteDefaultUses int
	InviteMaxUses     int
	// Invite acceptance limits per uid (internal/api.GuessLimits): every
	// acceptance takes from a bucket of InviteAcceptBurst that regains one
	// per InviteAcceptRefill; every invalid token from one of
	// InviteFailureBurst regaining one per InviteFailureRefill, and with
	// none left acceptance is refused whatever the token.
	InviteAcceptBurst   int
	InviteAcceptRefill  time.Duration
	InviteFailureBurst  int
	InviteFailureRefill time.Duration

	// LogFormat is "json" or "text"; LogLevel is debug, info, warn or error.
	LogFormat string
	LogLevel  string

	// Push notifications (internal/push).
	// PushMaxDevices caps the registered devices of one user.
	PushMaxDevices int
	// FCMEmulatorHost is host:port of a fake FCM endpoint; accepted only
	// for demo- projects (CheckFCMEmulatorSafety).
	FCMEmulatorHost string
	// PushListener starts a Firestore listener that pushes new messages
	// (development and single-instance deployments).
	PushListener bool
	// PushEventsAudience and PushEventsInvokers enable POST
	// /events/firestore for Eventarc: the OIDC audience expected and the
	// comma-separated service-account emails allowed to call it.
	PushEventsAudience string
	PushEventsInvokers string
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Addr:              ":8080",
		MaxMembers:        100,
		MaxTitleRunes:     120,
		MaxBodyBytes:      64 << 10,
		RateLimit:         10,
		RateBurst:         20,
		MutationRate:      2,
		MutationBurst:     10,
		AuthFailureRate:   1,
		AuthFailureBurst:  30,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		RequestTimeout:    20 * time.Second,
		ShutdownTimeout:   20 * time.Second,
		TxnMaxAttempts:    25,
		IdempotencyTTL:    24 * time.Hour,
		ReconcileInterval: 10 * time.Second,
		ReauthWindow:      5 * time.Minute,
		DeviceGCInterval:  time.Hour,
		// The invite defaults are the built-in ones of internal/rooms
		// and internal/api.
		InviteDefaultTTL:    7 * 24 * time.Hour,
		InviteMaxTTL:        30 * 24 * time.Hour,
		InviteDefaultUses:   1,
		InviteMaxUses:       1000,
		InviteAcceptBurst:   10,
		InviteAcceptRefill:  6 * time.Second,
		InviteFailureBurst:  5,
		InviteFailureRefill: 5 * time.Minute,
		LogFormat:           "json",
		LogLevel:            "info",
		PushMaxDevices:      10,
	}
}

// Load builds a Config from getenv (os.Getenv in production) and the
// command-line args (without the program and subcommand names), then
// validates it. Usage goes to out on -h.
func Load(args []string, getenv func(string) string, out io.Writer) (Config, error) {
	cfg := Default()
	fs := flag.NewFlagSet("roomgate", flag.ContinueOnError)
	fs.SetOutput(out)
	var envErrs []error
	for _, s := range Settings() {
		if err := s.bind(fs, &cfg, getenv); err != nil {
			envErrs = append(envErrs, err)
		}
	}
	if err := errors.Join(envErrs...); err != nil {
		return Config{}, err
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("config: unexpected arguments %q", fs.Args())
	}
	if cfg.ProjectID == "" {
		for _, k := range []string{"GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT"} {
			if v := getenv(k); v != "" {
				cfg.ProjectID = v
				break
			}
		}
	}
	if getenv(EnvPrefix+"ADDR") == "" && !flagSet(fs, "addr") {
		if p := getenv("PORT"); p != "" {
			cfg.Addr = ":" + p
		}
	}
	cfg.FirestoreEmulatorHost = getenv("FIRESTORE_EMULATOR_HOST")
	cfg.AuthEmulatorHost = getenv("FIREBASE_AUTH_EMULATOR_HOST")
	return cfg, cfg.Validate()
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

// Emulated reports whether either emulator variable is set.
func (c Config) Emulated() bool {
	return c.FirestoreEmulatorHost != "" || c.AuthEmulatorHost != ""
}

// Validate checks ranges and the emulator-safety rule.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf("config: "+format, a...)) }
	if c.ProjectID == "" {
		bad("the project ID is required (%sPROJECT_ID, -project, or GOOGLE_CLOUD_PROJECT)", EnvPrefix)
	}
	if err := CheckEmulatorSafety(c.ProjectID, c.FirestoreEmulatorHost, c.AuthEmulatorHost); err != nil {
		errs = append(errs, err)
	}
	if c.FCMEmulatorHost != "" && !strings.HasPrefix(c.ProjectID, "demo-") {
		bad("refusing to start: an FCM emulator host (%s) is set but project %q does not start with \"demo-\"; pushes must never be diverted silently", c.FCMEmulatorHost, c.ProjectID)
	}
	if c.PushMaxDevices < 1 || c.PushMaxDevices > 100 {
		bad("push max devices %d out of range 1..100", c.PushMaxDevices)
	}
	if c.Addr == "" {
		bad("the listen address is empty")
	}
	if c.MetricsAddr != "" && c.MetricsAddr == c.Addr {
		bad("the metrics address %q is the API's; leave it empty to serve /metrics there", c.MetricsAddr)
	}
	if c.MaxMembers < 2 || c.MaxMembers > MaxMembersCeiling {
		bad("max members %d out of range 2..%d", c.MaxMembers, MaxMembersCeiling)
	}
	if c.MaxTitleRunes < 0 || c.MaxTitleRunes > 1000 {
		bad("max title length %d out of range 0..1000", c.MaxTitleRunes)
	}
	if c.MaxBodyBytes < 1024 || c.MaxBodyBytes > 10<<20 {
		bad("max body bytes %d out of range 1KiB..10MiB", c.MaxBodyBytes)
	}
	if c.RateLimit < 0 || c.MutationRate < 0 {
		bad("rate limits must not be negative")
	}
	if c.AuthFailureRate < 0 || c.AuthFailureRate > 0 && c.AuthFailureBurst < 1 {
		bad("the auth failure rate must not be negative, and its burst at least 1 when it is set")
	}
	if _, err := c.CORSOriginList(); err != nil {
		errs = append(errs, err)
	}
	if c.TrustedProxies < 0 || c.TrustedProxies > 10 {
		bad("trusted proxies %d out of range 0..10", c.TrustedProxies)
	}
	if c.RateLimit > 0 && c.RateBurst < 1 || c.MutationRate > 0 && c.MutationBurst < 1 {
		bad("rate bursts must be at least 1 when a rate is set")
	}
	for name, d := range map[string]time.Duration{
		"read header timeout": c.ReadHeaderTimeout, "read timeout": c.ReadTimeout,
		"write timeout": c.WriteTimeout, "idle timeout": c.IdleTimeout,
		"request timeout": c.RequestTimeout, "shutdown timeout": c.ShutdownTimeout,
		"idempotency TTL": c.IdempotencyTTL, "reconcile interval": c.ReconcileInterval,
		"reauthentication window": c.ReauthWindow,
	} {
		if d <= 0 {
			bad("%s must be positive", name)
		}
	}
	if c.DeviceGCInterval < 0 {
		bad("device GC interval must not be negative (0 = off)")
	}
	if c.TxnMaxAttempts < 1 || c.TxnMaxAttempts > 100 {
		bad("transaction attempts %d out of range 1..100", c.TxnMaxAttempts)
	}
	errs = append(errs, c.validateInvites()...)
	if c.LogFormat != "json" && c.LogFormat != "text" {
		bad("log format %q is not json or text", c.LogFormat)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("log level %q is not debug, info, warn or error", c.LogLevel)
	}
	return errors.Join(errs...)
}

// ErrUnsafeEmulator is returned (wrapped) when an emulator variable is set
// for a project ID that does not start with "demo-".
var ErrUnsafeEmulator = errors.New("emulator mode for a non-demo project")

// CheckEmulatorSafety refuses emulator mode for real projects. The Admin
// SDK, seeing FIREBASE_AUTH_EMULATOR_HOST, accepts unsigned ID tokens; if
// that variable leaked into a production deployment, anyone could mint a
// token for any uid. Firestore's variable is included because a half-
// emulated deployment is never what an operator meant.
func CheckEmulatorSafety(projectID, firestoreHost, authHost string) error {
	if firestoreHost == "" && authHost == "" {
		return nil
	}
	if strings.HasPrefix(projectID, "demo-") {
		return nil
	}
	var set []string
	if firestoreHost != "" {
		set = append(set, "FIRESTORE_EMULATOR_HOST="+firestoreHost)
	}
	if authHost != "" {
		set = append(set, "FIREBASE_AUTH_EMULATOR_HOST="+authHost)
	}
	return fmt.Errorf("config: refusing to start: %s is set but project %q does not start with \"demo-\"; "+
		"in emulator mode the Admin SDK does not check ID-token signatures. Unset the variable(s) for production, "+
		"or use a demo-* project ID with the emulators: %w", strings.Join(set, ", "), projectID, ErrUnsafeEmulator)
}

func parseBool(s string) (bool, error) { return strconv.ParseBool(strings.TrimSpace(s)) }

// CORSOriginList parses CORSOrigins. Each entry must be an origin exactly as
// a browser sends it: http or https, a host, an optional port, nothing
// else (no path, no trailing slash, no wildcard: "*" would hand the API to
// every page on the web).
func (c Config) CORSOriginList() ([]string, error) {
	var out []string
	for _, o := range strings.Split(c.CORSOrigins, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
			u.Path != "" || u.RawQuery != "" || u.Fragment != "" || strings.Contains(o, "*") ||
			o != u.Scheme+"://"+strings.ToLower(u.Host) {
			return nil, fmt.Errorf("config: CORS origin %q: want scheme://host[:port] in lower case, e.g. https://app.example.com (no path, no wildcard)", o)
		}
		out = append(out, o)
	}
	return out, nil
}
