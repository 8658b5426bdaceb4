package config

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDefaultsAreSafe(t *testing.T) {
	cfg, err := Load(nil, env(map[string]string{"ROOMGATE_PROJECT_ID": "p"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RateLimit <= 0 || cfg.MutationRate <= 0 {
		t.Fatal("rate limits are off by default")
	}
	if cfg.MaxMembers != 100 || cfg.MaxTitleRunes != 120 || cfg.MaxBodyBytes != 64<<10 {
		t.Fatalf("limits = %d/%d/%d", cfg.MaxMembers, cfg.MaxTitleRunes, cfg.MaxBodyBytes)
	}
	if cfg.ReadHeaderTimeout == 0 || cfg.WriteTimeout == 0 || cfg.ShutdownTimeout == 0 {
		t.Fatal("a server timeout is zero by default")
	}
}

func TestFlagsOverrideEnvOverrideDefaults(t *testing.T) {
	cfg, err := Load([]string{"-max-members", "7", "-rate-limit", "0"}, env(map[string]string{
		"ROOMGATE_PROJECT_ID":             "p",
		"ROOMGATE_MAX_MEMBERS":            "50",
		"ROOMGATE_RATE_BURST":             "3",
		"ROOMGATE_READ_TIMEOUT":           "2s",
		"ROOMGATE_REQUIRE_EMAIL_VERIFIED": "true",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MaxMembers != 7 || cfg.RateLimit != 0 || cfg.RateBurst != 3 || cfg.ReadTimeout != 2*time.Second || !cfg.RequireEmailVerified {
		t.Fatalf("cfg = %+v", cfg)
	}
}

func TestProjectFallbacksAndPort(t *testing.T) {
	cfg, err := Load(nil, env(map[string]string{"GOOGLE_CLOUD_PROJECT": "gp", "PORT": "9999"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ProjectID != "gp" || cfg.Addr != ":9999" {
		t.Fatalf("project %q addr %q", cfg.ProjectID, cfg.Addr)
	}
}

func TestBadValuesAreErrors(t *testing.T) {
	cases := map[string]map[string]string{
		"no project":         {},
		"bad int":            {"ROOMGATE_PROJECT_ID": "p", "ROOMGATE_MAX_MEMBERS": "many"},
		"bad duration":       {"ROOMGATE_PROJECT_ID": "p", "ROOMGATE_READ_TIMEOUT": "5"},
		"bad bool":           {"ROOMGATE_PROJECT_ID": "p", "ROOMGATE_REQUIRE_EMAIL_VERIFIED": "yes please"},
		"cap too small":      {"ROOMGATE_PROJECT_ID": "p", "ROOMGATE_MAX_MEMBERS": "1"},
		"negative rate":      {"ROOMGATE_PROJECT_ID": "p", "ROOMGATE_RATE_LIMIT": "-1"},
		"zero burst":         {"ROOMGATE_PROJECT_ID": "p", "ROOMGATE_RATE_BURST": "0"},
		"bad log format":     {"ROOMGATE_PROJECT_ID": "p", "ROOMGATE_LOG_FORMAT": "xml"},
		"zero write timeout": {"ROOMGATE_PROJECT_ID": "p", "ROOMGATE_WRITE_TIMEOUT": "0s"},
	}
	for name, m := range cases {
		if _, err := Load(nil, env(m), io.Discard); err == nil {
			t.Errorf("%s: Load succeeded", name)
		}
	}
	if _, err := Load([]string{"extra"}, env(map[string]string{"ROOMGATE_PROJECT_ID": "p"}), io.Discard); err == nil {
		t.Error("a stray argument was accepted")
	}
}

func TestEmulatorSafety(t *testing.T) {
	cases := []struct {
		name              string
		project, fs, auth string
		wantErr           bool
	}{
		{"production without emulators starts", "my-prod", "", "", false},
		{"auth emulator with a real project is refused", "my-prod", "", "127.0.0.1:9099", true},
		{"firestore emulator with a real project is refused", "my-prod", "127.0.0.1:8080", "", true},
		{"both emulators with a demo project start", "demo-roomgate", "127.0.0.1:8080", "127.0.0.1:9099", false},
		{"a project merely containing demo is refused", "prod-demo-x", "", "h:1", true},
		{"a project DEMO- in capitals is refused", "DEMO-x", "", "h:1", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(nil, env(map[string]string{
				"ROOMGATE_PROJECT_ID":         c.project,
				"FIRESTORE_EMULATOR_HOST":     c.fs,
				"FIREBASE_AUTH_EMULATOR_HOST": c.auth,
			}), io.Discard)
			if (err != nil) != c.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, c.wantErr)
			}
			if c.wantErr && (!errors.Is(err, ErrUnsafeEmulator) || !strings.Contains(err.Error(), "demo-")) {
				t.Fatalf("error is not the clear emulator refusal: %v", err)
			}
		})
	}
}

func TestMarkdownListsEveryVariable(t *testing.T) {
	md := Markdown()
	for _, s := range Settings() {
		if !strings.Contains(md, "`"+s.Env+"`") || !strings.Contains(md, "`-"+s.Flag+"`") {
			t.Errorf("table lacks %s / -%s", s.Env, s.Flag)
		}
	}
	if !strings.Contains(md, "`100`") {
		t.Error("table lacks the default member cap")
	}
}

func TestCORSOriginList(t *testing.T) {
	good := map[string][]string{
		"":                        nil,
		"https://app.example.com": {"https://app.example.com"},
		" http://localhost:5173 , https://a.b.c ": {"http://localhost:5173", "https://a.b.c"},
	}
	for in, want := range good {
		got, err := Config{CORSOrigins: in}.CORSOriginList()
		if err != nil || strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("CORSOriginList(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"*", "https://*.example.com", "https://app.example.com/", "app.example.com", "ftp://x.y",
		"https://App.Example.com", "https://user@app.example.com", "https://app.example.com?x=1", "null"} {
		if _, err := (Config{CORSOrigins: in}).CORSOriginList(); err == nil {
			t.Errorf("CORSOriginList(%q) accepted", in)
		}
		cfg := Default()
		cfg.ProjectID, cfg.CORSOrigins = "p", in
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "CORS origin") {
			t.Errorf("Validate with %q: %v", in, err)
		}
	}
}
