package devstack

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// demoSteps are fragments the narration must contain, in this order: one
// per step the demo must show.
var demoSteps = []string{
	"alice, bob and carol sign up and sign in",
	"alice alice-", "bob   bob-", "carol carol-",
	"the service admits them (POST /v1/me/claims)",
	`claims {"chat":true}`, "chat=true after",
	"alice creates a room with bob through the service",
	"201 Created: room ", "alice owner, bob member",
	"alice, bob and carol connect directly to Firestore",
	"bob reads rooms/", "bob opens a real-time listener",
	"alice sends a message",
	"alice wrote messages/", `bob received "hi bob, this goes straight to Firestore" from alice`,
	"carol (admitted, not a member) knows the room ID",
	"read the room document", "-> PERMISSION_DENIED:",
	"list its messages", "-> PERMISSION_DENIED:",
	"post a message", "-> PERMISSION_DENIED:",
	"GET /v1/rooms/{id}", "HTTP 404",
	"alice (owner) removes bob through the service",
	"-> 200 in", "bob's listener ended with PERMISSION_DENIED",
	"bob posts again with the same token (still chat=true) -> PERMISSION_DENIED",
	"Measured in this run:",
	"OK: every step behaved as the design says.",
}

func checkNarration(t *testing.T, out string) {
	t.Helper()
	rest := out
	for _, s := range demoSteps {
		// Step numbers depend on the target (the push steps run only
		// where the demo started the fake FCM), so headings are matched
		// without them.
		i := strings.Index(rest, s)
		if i < 0 {
			t.Fatalf("narration lacks %q (in order):\n%s", s, out)
		}
		rest = rest[i+len(s):]
	}
	// The numbers are this run's: positive milliseconds, and the
	// delivery cannot precede the write.
	num := func(label string) float64 {
		m := regexp.MustCompile(regexp.QuoteMeta(label) + `\s+([0-9.]+) ms`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no figure for %q:\n%s", label, out)
		}
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil || v <= 0 {
			t.Fatalf("figure for %q is %q", label, m[1])
		}
		return v
	}
	ack, delivered := num("alice's write, sent -> acknowledged"), num("alice's write, sent -> in bob's listener")
	num("removal request sent -> bob's listener denied")
	if delivered <= 0 || ack <= 0 {
		t.Fatalf("ack %v, delivered %v", ack, delivered)
	}
}

// TestDemoEmbedded runs the whole demo in-process against the embedded
// emulators and an in-process service.
func TestDemoEmbedded(t *testing.T) {
	var out, logs syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := RunDemo(ctx, DemoOptions{Embedded: true, Log: &logs}, &out); err != nil {
		t.Fatalf("demo failed: %v\n%s\nlogs:\n%s", err, out.String(), logs.String())
	}
	checkNarration(t, out.String())
	// The embedded stack has the fake FCM: bob's phone gets a push that
	// names the message and carries none of its text (the step fails the
	// demo otherwise).
	for _, want := range []string{"bob registers his phone for push notifications", "the service pushes bob's phone, with no message text",
		`notification "New message"`} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("narration lacks %q:\n%s", want, out.String())
		}
	}
	t.Logf("narration:\n%s", out.String())
}

// TestDemoAgainstRunningDev points the demo at a running local stack
// through the variables dev prints, as a user who pasted them would.
func TestDemoAgainstRunningDev(t *testing.T) {
	text, _ := startDev(t)
	env, _ := parseDevOutput(t, text)
	o := DemoDefaults(func(k string) string { return env[k] })
	var out bytes.Buffer
	if err := RunDemo(context.Background(), o, &out); err != nil {
		t.Fatalf("demo failed: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "against the running emulators and service") ||
		!strings.Contains(out.String(), env["ROOMGATE_URL"]) {
		t.Fatalf("the demo did not use dev's service:\n%s", out.String())
	}
	checkNarration(t, out.String())
}

// TestDemoFailsWhenRulesLeak: the demo is a check, not a script. With
// rules that let anyone read and write, carol's attempts succeed and the
// demo must fail, naming what went wrong.
func TestDemoFailsWhenRulesLeak(t *testing.T) {
	open := filepath.Join(t.TempDir(), "open.rules")
	src := "rules_version = '2';\nservice cloud.firestore {\n  match /databases/{db}/documents {\n    match /{doc=**} { allow read, write: if request.auth != null; }\n  }\n}\n"
	if err := os.WriteFile(open, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := RunDemo(context.Background(), DemoOptions{Embedded: true, RulesPath: open, StepTimeout: 5 * time.Second}, &out)
	if err == nil || !strings.Contains(err.Error(), "ALLOWED") || !strings.Contains(out.String(), "FAIL:") {
		t.Fatalf("demo with open rules: err %v\n%s", err, out.String())
	}
}

func TestDemoTargetSelection(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	// Partly configured: refuse, naming what is missing.
	env["FIRESTORE_EMULATOR_HOST"] = "127.0.0.1:1"
	_, err := resolveTarget(DemoDefaults(getenv))
	if err == nil || !strings.Contains(err.Error(), "ROOMGATE_URL") || !strings.Contains(err.Error(), "FIREBASE_AUTH_EMULATOR_HOST") {
		t.Fatalf("partial: %v", err)
	}
	// Fully configured: used as given, nothing started.
	env["FIREBASE_AUTH_EMULATOR_HOST"] = "127.0.0.1:2"
	env["ROOMGATE_URL"] = "http://127.0.0.1:3/"
	env["GOOGLE_CLOUD_PROJECT"] = "demo-google"
	if o := DemoDefaults(getenv); o.ProjectID != "demo-google" {
		t.Fatalf("GOOGLE_CLOUD_PROJECT: %+v", o)
	}
	env["GCLOUD_PROJECT"] = "demo-other"
	tgt, err := resolveTarget(DemoDefaults(getenv))
	if err != nil || tgt.FirestoreAddr != "127.0.0.1:1" || tgt.AuthAddr != "127.0.0.1:2" ||
		tgt.ServiceURL != "http://127.0.0.1:3" || tgt.ProjectID != "demo-other" {
		t.Fatalf("configured: %+v %v", tgt, err)
	}
	// Nothing set: the embedded stack's project and the default timeout.
	if o := DemoDefaults(func(string) string { return "" }); o.ProjectID != DefaultProjectID || o.StepTimeout != defaultStepTimeout || o.ServiceURL != "" {
		t.Fatalf("empty environment: %+v", o)
	}
}
