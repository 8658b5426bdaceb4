package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestUsageListsSubcommands(t *testing.T) {
	var out bytes.Buffer
	if code := run([]string{"help"}, &out, &out); code != 0 {
		t.Fatalf("help exit %d", code)
	}
	for _, name := range []string{"serve", "admin"} {
		if !strings.Contains(out.String(), name) {
			t.Errorf("usage lacks %s: %s", name, out.String())
		}
	}
}

func TestUnknownSubcommandFails(t *testing.T) {
	var out bytes.Buffer
	if code := run([]string{"frobnicate"}, &out, &out); code != 2 {
		t.Fatalf("exit %d", code)
	}
}

func TestServeRefusesEmulatorForRealProject(t *testing.T) {
	t.Setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")
	t.Setenv("ROOMGATE_PROJECT_ID", "my-production")
	var out bytes.Buffer
	code := run([]string{"serve"}, &out, &out)
	if code != 1 || !strings.Contains(out.String(), `does not start with "demo-"`) {
		t.Fatalf("exit %d: %s", code, out.String())
	}
}

func TestAdminNeedsUIDAndRole(t *testing.T) {
	var out bytes.Buffer
	if code := run([]string{"admin", "grant-role", "--uid", "x"}, &out, &out); code != 1 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	if code := run([]string{"admin", "bogus"}, &out, &out); code != 1 {
		t.Fatalf("exit %d", code)
	}
}

func TestSplitAdminFlags(t *testing.T) {
	uid, role, rest, err := splitAdminFlags([]string{"--uid", "u1", "-project-id", "demo-x", "--role=admin", "-log-level=debug"})
	if err != nil || uid != "u1" || role != "admin" || strings.Join(rest, " ") != "-project-id demo-x -log-level=debug" {
		t.Fatalf("got %q %q %q %v", uid, role, rest, err)
	}
	if _, _, _, err := splitAdminFlags([]string{"--uid"}); err == nil {
		t.Fatal("a missing value was accepted")
	}
}

func TestSubcommandHelpExitsZero(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "-h"}, {"serve", "--help"},
		{"admin", "-h"}, {"admin", "--help"}, {"admin", "grant-role", "-h"}, {"admin", "grant-role", "--uid", "x", "--help"},
	} {
		var out bytes.Buffer
		if code := run(args, &out, &out); code != 0 {
			t.Errorf("%q: exit %d: %s", args, code, out.String())
		}
		// The usage, and no error line after it.
		if strings.Contains(out.String(), "help requested") || strings.Contains(out.String(), "roomgate "+args[0]+":") || !strings.Contains(out.String(), "-") {
			t.Errorf("%q printed no usage, or an error: %s", args, out.String())
		}
	}
	// grant-role -h lists the service flags it accepts.
	var out bytes.Buffer
	run([]string{"admin", "grant-role", "-h"}, &out, &out)
	if !strings.Contains(out.String(), "--uid UID") || !strings.Contains(out.String(), "-project") {
		t.Errorf("admin grant-role -h lacks the usage line or the service flags:\n%s", out.String())
	}
}

// TestDevAndDemoSayWhereTheyMoved: the old subcommands fail with exit 2
// and name the command to run instead, with the arguments given.
func TestDevAndDemoSayWhereTheyMoved(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"dev"}, "go run ./cmd/roomgate-dev\n"},
		{[]string{"dev", "--addr", "127.0.0.1:0"}, "go run ./cmd/roomgate-dev --addr 127.0.0.1:0\n"},
		{[]string{"dev", "-h"}, "go run ./cmd/roomgate-dev -h\n"},
		{[]string{"demo"}, "go run ./cmd/roomgate-dev demo\n"},
		{[]string{"demo", "--embedded"}, "go run ./cmd/roomgate-dev demo --embedded\n"},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		if code := run(c.args, &stdout, &stderr); code != 2 {
			t.Errorf("%q: exit %d, want 2", c.args, code)
		}
		if !strings.Contains(stderr.String(), "has moved") || !strings.HasSuffix(stderr.String(), c.want) || stdout.Len() != 0 {
			t.Errorf("%q: stderr %q, stdout %q; want the replacement %q", c.args, stderr.String(), stdout.String(), c.want)
		}
	}
	// The usage lists only what this binary does, and points to roomgate-dev.
	var out bytes.Buffer
	run([]string{"help"}, &out, &out)
	if strings.Contains(out.String(), "  dev ") || strings.Contains(out.String(), "  demo ") || !strings.Contains(out.String(), "cmd/roomgate-dev") {
		t.Errorf("usage:\n%s", out.String())
	}
}
