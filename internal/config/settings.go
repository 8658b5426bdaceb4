package config

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// EnvPrefix starts every roomgate environment variable.
const EnvPrefix = "ROOMGATE_"

// Setting describes one configuration knob: its flag, its environment
// variable and its documentation. Settings() is the single source for both
// parsing and the README table (see Markdown).
type Setting struct {
	Flag, Env, Usage string
	// bind reads the variable into cfg and registers the flag over it.
	bindFn func(fs *flag.FlagSet, cfg *Config, env string) error
}

func (s Setting) bind(fs *flag.FlagSet, cfg *Config, getenv func(string) string) error {
	return s.bindFn(fs, cfg, getenv(s.Env))
}

func str(name, usage string, field func(*Config) *string) Setting {
	return Setting{Flag: name, Env: envName(name), Usage: usage, bindFn: func(fs *flag.FlagSet, cfg *Config, env string) error {
		p := field(cfg)
		if env != "" {
			*p = env
		}
		fs.StringVar(p, name, *p, usage)
		return nil
	}}
}

func integer(name, usage string, field func(*Config) *int) Setting {
	return Setting{Flag: name, Env: envName(name), Usage: usage, bindFn: func(fs *flag.FlagSet, cfg *Config, env string) error {
		p := field(cfg)
		if env != "" {
			v, err := strconv.Atoi(strings.TrimSpace(env))
			if err != nil {
				return fmt.Errorf("config: %s=%q: not an integer", envName(name), env)
			}
			*p = v
		}
		fs.IntVar(p, name, *p, usage)
		return nil
	}}
}

func int64Setting(name, usage string, field func(*Config) *int64) Setting {
	return Setting{Flag: name, Env: envName(name), Usage: usage, bindFn: func(fs *flag.FlagSet, cfg *Config, env string) error {
		p := field(cfg)
		if env != "" {
			v, err := strconv.ParseInt(strings.TrimSpace(env), 10, 64)
			if err != nil {
				return fmt.Errorf("config: %s=%q: not an integer", envName(name), env)
			}
			*p = v
		}
		fs.Int64Var(p, name, *p, usage)
		return nil
	}}
}

func float(name, usage string, field func(*Config) *float64) Setting {
	return Setting{Flag: name, Env: envName(name), Usage: usage, bindFn: func(fs *flag.FlagSet, cfg *Config, env string) error {
		p := field(cfg)
		if env != "" {
			v, err := strconv.ParseFloat(strings.TrimSpace(env), 64)
			if err != nil {
				return fmt.Errorf("config: %s=%q: not a number", envName(name), env)
			}
			*p = v
		}
		fs.Float64Var(p, name, *p, usage)
		return nil
	}}
}

func boolean(name, usage string, field func(*Config) *bool) Setting {
	return Setting{Flag: name, Env: envName(name), Usage: usage, bindFn: func(fs *flag.FlagSet, cfg *Config, env string) error {
		p := field(cfg)
		if env != "" {
			v, err := parseBool(env)
			if err != nil {
				return fmt.Errorf("config: %s=%q: not a boolean", envName(name), env)
			}
			*p = v
		}
		fs.BoolVar(p, name, *p, usage)
		return nil
	}}
}

func duration(name, usage string, field func(*Config) *time.Duration) Setting {
	return Setting{Flag: name, Env: envName(name), Usage: usage, bindFn: func(fs *flag.FlagSet, cfg *Config, env string) error {
		p := field(cfg)
		if env != "" {
			v, err := time.ParseDuration(strings.TrimSpace(env))
			if err != nil {
				return fmt.Errorf("config: %s=%q: not a duration (e.g. 15s)", envName(name), env)
			}
			*p = v
		}
		fs.DurationVar(p, name, *p, usage)
		return nil
	}}
}

// envName maps a flag name to its variable: "max-members" → ROOMGATE_MAX_MEMBERS.
func envName(flagName string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Settings lists every knob, in the order of the README table.
func Settings() []Setting {
	return []Setting{
		str("project-id", "Firebase project ID (falls back to GOOGLE_CLOUD_PROJECT, GCLOUD_PROJECT)", func(c *Config) *string { return &c.ProjectID }),
		str("addr", "HTTP listen address (falls back to :$PORT, then :8080)", func(c *Config) *string { return &c.Addr }),
		str("metrics-addr", "serve /metrics on this address instead of the API's (empty = on the API's)", func(c *Config) *string { return &c.MetricsAddr }),
		str("credentials-file", "service-account JSON; empty = Application Default Credentials", func(c *Config) *string { return &c.CredentialsFile }),
		integer("max-members", "member cap per room, owner included (2 to 240: a room deletion removes every member in one commit)", func(c *Config) *int { return &c.MaxMembers }),
		integer("max-title-runes", "longest room title, in characters", func(c *Config) *int { return &c.MaxTitleRunes }),
		int64Setting("max-body-bytes", "largest request body accepted (413 above)", func(c *Config) *int64 { return &c.MaxBodyBytes }),
		boolean("require-email-verified", "POST /v1/me/claims admits only verified emails", func(c *Config) *bool { return &c.RequireEmailVerified }),
		float("rate-limit", "per-uid requests per second on /v1 (0 = off)", func(c *Config) *float64 { return &c.RateLimit }),
		integer("rate-burst", "per-uid burst on /v1", func(c *Config) *int { return &c.RateBurst }),
		float("mutation-rate", "per-uid mutating requests per second (0 = off)", func(c *Config) *float64 { return &c.MutationRate }),
		integer("mutation-burst", "per-uid burst of mutating requests", func(c *Config) *int { return &c.MutationBurst }),
		str("cors-origins", "comma-separated origins whose web pages may call the API (empty = none)", func(c *Config) *string { return &c.CORSOrigins }),
		float("auth-failure-rate", "per client address, failed authentications forgiven per second (0 = no limit)", func(c *Config) *float64 { return &c.AuthFailureRate }),
		integer("auth-failure-burst", "per client address, failed authentications in a row before 429", func(c *Config) *int { return &c.AuthFailureBurst }),
		integer("trusted-proxies", "proxies in front that append to X-Forwarded-For (Cloud Run: 1); 0 = use the connection's address", func(c *Config) *int { return &c.TrustedProxies }),
		duration("read-header-timeout", "http.Server ReadHeaderTimeout", func(c *Config) *time.Duration { return &c.ReadHeaderTimeout }),
		duration("read-timeout", "http.Server ReadTimeout", func(c *Config) *time.Duration { return &c.ReadTimeout }),
		duration("write-timeout", "http.Server WriteTimeout", func(c *Config) *time.Duration { return &c.WriteTimeout }),
		duration("idle-timeout", "http.Server IdleTimeout", func(c *Config) *time.Duration { return &c.IdleTimeout }),
		duration("request-timeout", "deadline for one request's Firestore/Auth work", func(c *Config) *time.Duration { return &c.RequestTimeout }),
		duration("shutdown-timeout", "grace period for in-flight requests on SIGTERM", func(c *Config) *time.Duration { return &c.ShutdownTimeout }),
		integer("txn-max-attempts", "attempts of a contended Firestore transaction before 503", func(c *Config) *int { return &c.TxnMaxAttempts }),
		duration("idempotency-ttl", "how long an Idempotency-Key is remembered", func(c *Config) *time.Duration { return &c.IdempotencyTTL }),
		duration("reconcile-interval", "how often unfinished privilege changes (ban, role, admission, account deletion) are retried", func(c *Config) *time.Duration { return &c.ReconcileInterval }),
		duration("reauth-window", "how recent a sign-in (the ID token's auth_time) DELETE /v1/me requires", func(c *Config) *time.Duration { return &c.ReauthWindow }),
		duration("device-gc-interval", "how often push devices of users deleted outside roomgate are dropped (0 = off)", func(c *Config) *time.Duration { return &c.DeviceGCInterval }),
		duration("invite-default-ttl", "lifetime of a new invite when the request names none", func(c *Config) *time.Duration { return &c.InviteDefaultTTL }),
		duration("invite-max-ttl", "longest lifetime a new invite may ask for (at most 2160h)", func(c *Config) *time.Duration { return &c.InviteMaxTTL }),
		integer("invite-default-uses", "uses of a new invite when the request names none", func(c *Config) *int { return &c.InviteDefaultUses }),
		integer("invite-max-uses", "most uses a new invite may ask for (at most 10000)", func(c *Config) *int { return &c.InviteMaxUses }),
		integer("invite-accept-burst", "per uid, invite acceptances in a row before 429", func(c *Config) *int { return &c.InviteAcceptBurst }),
		duration("invite-accept-refill", "per uid, one invite acceptance regained every this long", func(c *Config) *time.Duration { return &c.InviteAcceptRefill }),
		integer("invite-failure-burst", "per uid, invalid invite tokens before acceptance is refused (429)", func(c *Config) *int { return &c.InviteFailureBurst }),
		duration("invite-failure-refill", "per uid, one invalid invite token forgiven every this long", func(c *Config) *time.Duration { return &c.InviteFailureRefill }),
		str("log-format", "json or text", func(c *Config) *string { return &c.LogFormat }),
		str("log-level", "debug, info, warn or error", func(c *Config) *string { return &c.LogLevel }),
		integer("push-max-devices", "registered push devices per user", func(c *Config) *int { return &c.PushMaxDevices }),
		str("fcm-emulator-host", "host:port of a fake FCM endpoint (demo- projects only)", func(c *Config) *string { return &c.FCMEmulatorHost }),
		boolean("push-listener", "push new messages from a Firestore listener (dev, single instance)", func(c *Config) *bool { return &c.PushListener }),
		str("push-events-audience", "OIDC audience of Eventarc deliveries to POST /events/firestore (empty = off)", func(c *Config) *string { return &c.PushEventsAudience }),
		str("push-events-invokers", "comma-separated service-account emails allowed to deliver events", func(c *Config) *string { return &c.PushEventsInvokers }),
	}
}

// Markdown renders the settings as a README table (flag, variable,
// default, meaning).
func Markdown() string {
	var b strings.Builder
	def := Default()
	fs := flag.NewFlagSet("", flag.ContinueOnError)
	for _, s := range Settings() {
		_ = s.bindFn(fs, &def, "")
	}
	b.WriteString("| flag | environment variable | default | meaning |\n| --- | --- | --- | --- |\n")
	for _, s := range Settings() {
		d := fs.Lookup(s.Flag).DefValue
		if d == "" {
			d = "(empty)"
		}
		fmt.Fprintf(&b, "| `-%s` | `%s` | `%s` | %s |\n", s.Flag, s.Env, d, s.Usage)
	}
	return b.String()
}
