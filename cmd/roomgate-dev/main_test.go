package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// noEnv is an empty environment.
func noEnv(string) string { return "" }

func TestHelpExitsZero(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}, {"demo", "-h"}, {"demo", "--help"}} {
		var out bytes.Buffer
		if code := run(args, noEnv, &out, &out); code != 0 {
			t.Errorf("%q: exit %d: %s", args, code, out.String())
		}
		if !strings.Contains(out.String(), "usage: roomgate-dev") && !strings.Contains(out.String(), "roomgate-dev demo [flags]") {
			t.Errorf("%q printed no usage: %s", args, out.String())
		}
		if strings.Contains(out.String(), "help requested") {
			t.Errorf("%q printed an error: %s", args, out.String())
		}
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	for _, args := range [][]string{{"extra"}, {"--bogus"}, {"demo", "extra"}, {"demo", "--timeout", "soon"}} {
		var out bytes.Buffer
		if code := run(args, noEnv, &out, &out); code != 2 {
			t.Errorf("%q: exit %d, want 2: %s", args, code, out.String())
		}
		if !strings.Contains(out.String(), "usage: roomgate-dev") {
			t.Errorf("%q: no usage: %s", args, out.String())
		}
	}
}

// TestDevFlags checks the flags reach devstack's options.
func TestDevFlags(t *testing.T) {
	o, err := parseDevFlags([]string{"--addr", "127.0.0.1:9", "--rules", "x.rules", "--config", "f.json", "--free-ports", "--project", "demo-x"}, &bytes.Buffer{})
	if err != nil || o.Addr != "127.0.0.1:9" || o.RulesPath != "x.rules" || o.ConfigPath != "f.json" || !o.FreePorts || o.ProjectID != "demo-x" {
		t.Fatalf("%+v %v", o, err)
	}
	if o, _ := parseDevFlags(nil, &bytes.Buffer{}); o.Addr != "127.0.0.1:8088" || o.ProjectID != "demo-roomgate" || o.FreePorts {
		t.Fatalf("defaults: %+v", o)
	}
}

// TestDevRefusesNonDemoProject: the command fails (exit 1) before
// starting anything for a project that could be real.
func TestDevRefusesNonDemoProject(t *testing.T) {
	var out bytes.Buffer
	if code := run([]string{"--project", "my-production", "--free-ports", "--addr", "127.0.0.1:0"}, noEnv, &out, &out); code != 1 || !strings.Contains(out.String(), "demo-") {
		t.Fatalf("exit %d: %s", code, out.String())
	}
}

// TestDemoFlags: the variables give the defaults; flags win over them.
func TestDemoFlags(t *testing.T) {
	env := map[string]string{"FIRESTORE_EMULATOR_HOST": "127.0.0.1:1", "FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:2",
		"ROOMGATE_URL": "http://127.0.0.1:3", "GCLOUD_PROJECT": "demo-env"}
	getenv := func(k string) string { return env[k] }
	o, verbose, err := parseDemoFlags(nil, getenv, &bytes.Buffer{})
	if err != nil || verbose || o.Embedded || o.FirestoreAddr != "127.0.0.1:1" || o.AuthAddr != "127.0.0.1:2" ||
		o.ServiceURL != "http://127.0.0.1:3" || o.ProjectID != "demo-env" || o.StepTimeout != 10*time.Second {
		t.Fatalf("from the environment: %+v %v %v", o, verbose, err)
	}
	o, verbose, err = parseDemoFlags([]string{"--url", "http://127.0.0.1:4", "--project", "demo-x", "--firestore", "h:5", "--auth", "h:6",
		"--rules", "r.rules", "--timeout", "3s", "-v", "--embedded"}, getenv, &bytes.Buffer{})
	if err != nil || !verbose || !o.Embedded || o.ServiceURL != "http://127.0.0.1:4" || o.ProjectID != "demo-x" ||
		o.FirestoreAddr != "h:5" || o.AuthAddr != "h:6" || o.RulesPath != "r.rules" || o.StepTimeout != 3*time.Second {
		t.Fatalf("flags: %+v %v %v", o, verbose, err)
	}
}

// TestDemoExitCode runs the demo through the command: exit 0 when every
// expectation holds, 1 when one fails (rules that let anyone in).
func TestDemoExitCode(t *testing.T) {
	var out bytes.Buffer
	if code := run([]string{"demo", "--embedded"}, noEnv, &out, &out); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), "OK: every step behaved") {
		t.Fatalf("no success line:\n%s", out.String())
	}
	open := filepath.Join(t.TempDir(), "open.rules")
	src := "rules_version = '2';\nservice cloud.firestore {\n  match /databases/{db}/documents {\n    match /{doc=**} { allow read, write: if true; }\n  }\n}\n"
	if err := os.WriteFile(open, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := run([]string{"demo", "--embedded", "--rules", open, "--timeout", "5s"}, noEnv, &out, &out); code != 1 {
		t.Fatalf("with open rules: exit %d:\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), "roomgate-dev demo: ") || !strings.Contains(out.String(), "ALLOWED") {
		t.Fatalf("with open rules, no error line:\n%s", out.String())
	}
}
