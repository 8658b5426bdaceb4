package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/roomgate/roomgate/emulator/emutest/emuclient"
)

// helperEnv makes the test binary act as the command run by exec: it
// talks to the emulators named by the standard variables with the real
// Go client, as a user's test suite would.
const helperEnv = "ROOMGATE_EMULATOR_TEST_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(helper(mode))
	}
	os.Exit(m.Run())
}

// helper writes or reads rooms/r1 through FIRESTORE_EMULATOR_HOST and
// GCLOUD_PROJECT. "write" exits 7 after writing so the test sees the
// status propagate; "read" exits 0 only if the document is there.
func helper(mode string) int {
	ctx := context.Background()
	c, err := firestore.NewClient(ctx, os.Getenv("GCLOUD_PROJECT"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer c.Close()
	switch mode {
	case "write":
		if _, err := c.Doc("rooms/r1").Set(ctx, map[string]any{"name": "lobby"}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return 7
	case "read":
		s, err := c.Doc("rooms/r1").Get(ctx)
		if err != nil || s.Data()["name"] != "lobby" {
			fmt.Fprintln(os.Stderr, "read:", err)
			return 1
		}
		return 0
	}
	return 1
}

func TestExecRunsTheCommandAndReturnsItsStatus(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	env := []string{helperEnv + "=write", "PATH=" + os.Getenv("PATH")}
	code := runContext(context.Background(), []string{"exec", "--config", filepath.Join(dir, "none.json"), "--ephemeral-ports", "--quiet", "--", os.Args[0]}, env, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "none.json") {
		t.Errorf("missing --config: exit %d, stderr %q; want 1 naming the file", code, errb.String())
	}

	cfg := writeFile(t, dir, "firebase.json", `{}`)
	export := filepath.Join(dir, "export")
	errb.Reset()
	code = runContext(context.Background(), []string{"exec", "--config", cfg, "--ephemeral-ports", "--export-on-exit", export, "--", os.Args[0]}, env, &out, &errb)
	if code != 7 {
		t.Fatalf("exit %d, want the command's 7; stderr:\n%s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "exported to "+export) {
		t.Errorf("stderr lacks the export line:\n%s", errb.String())
	}

	// A second run imports the export: the document written by the first
	// command is there for the second.
	env[0] = helperEnv + "=read"
	errb.Reset()
	if code := runContext(context.Background(), []string{"exec", "--config", cfg, "--ephemeral-ports", "--import", export, "--", os.Args[0]}, env, &out, &errb); code != 0 {
		t.Fatalf("read after import: exit %d; stderr:\n%s", code, errb.String())
	}
	// And without the import it is not.
	errb.Reset()
	if code := runContext(context.Background(), []string{"exec", "--config", cfg, "--ephemeral-ports", "--quiet", "--", os.Args[0]}, env, &out, &errb); code != 1 {
		t.Fatalf("read without import: exit %d, want 1", code)
	}
}

func TestExecEnvironment(t *testing.T) {
	cfg := writeFile(t, t.TempDir(), "firebase.json", `{}`)
	var out, errb bytes.Buffer
	env := []string{"PATH=" + os.Getenv("PATH"), "KEEP=me", "FIREBASE_EMULATOR_HUB=127.0.0.1:4400", "FIRESTORE_EMULATOR_HOST=elsewhere:1"}
	code := runContext(context.Background(), []string{"exec", "--config", cfg, "--ephemeral-ports", "--quiet", "--project", "demo-envtest",
		"--", "sh", "-c", "env"}, env, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	vars := map[string]string{}
	for _, l := range strings.Split(out.String(), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			vars[k] = v
		}
	}
	fs := vars["FIRESTORE_EMULATOR_HOST"]
	if !strings.HasPrefix(fs, "127.0.0.1:") || fs == "127.0.0.1:8080" || vars["FIREBASE_FIRESTORE_EMULATOR_ADDRESS"] != fs {
		t.Errorf("Firestore variables: %q / %q", fs, vars["FIREBASE_FIRESTORE_EMULATOR_ADDRESS"])
	}
	if a := vars["FIREBASE_AUTH_EMULATOR_HOST"]; !strings.HasPrefix(a, "127.0.0.1:") || a == fs {
		t.Errorf("FIREBASE_AUTH_EMULATOR_HOST = %q", a)
	}
	if vars["GCLOUD_PROJECT"] != "demo-envtest" || vars["GOOGLE_CLOUD_PROJECT"] != "demo-envtest" || vars["FIREBASE_CONFIG"] != `{"projectId":"demo-envtest"}` {
		t.Errorf("project variables: %v", vars)
	}
	if _, ok := vars["FIREBASE_EMULATOR_HUB"]; ok {
		t.Error("FIREBASE_EMULATOR_HUB from the parent was passed on; it would point tools at another emulator")
	}
	if vars["KEEP"] != "me" {
		t.Error("the parent environment was not passed on")
	}
}

func TestExecStatuses(t *testing.T) {
	cfg := writeFile(t, t.TempDir(), "firebase.json", `{}`)
	env := []string{"PATH=" + os.Getenv("PATH")}
	cases := []struct {
		name    string
		command []string
		want    int
	}{
		{"success", []string{"true"}, 0},
		{"exit status", []string{"sh", "-c", "exit 42"}, 42},
		{"script string through the shell", []string{"exit 5"}, 5},
		{"killed by a signal", []string{"sh", "-c", "kill -TERM $$"}, 128 + 15},
		{"command not found", []string{filepath.Join(t.TempDir(), "no-such-command")}, 127},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append([]string{"exec", "--config", cfg, "--ephemeral-ports", "--quiet", "--"}, c.command...)
			if code := runContext(context.Background(), args, env, &out, &errb); code != c.want {
				t.Errorf("exit %d, want %d; stderr: %s", code, c.want, errb.String())
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	cfg := writeFile(t, t.TempDir(), "firebase.json", `{}`)
	cases := []struct {
		args []string
		want int
		msg  string
	}{
		{nil, 2, "usage"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"exec", "--config", cfg}, 2, "usage"},
		{[]string{"exec", "--config", cfg, "--export-on-exit", "--", "true"}, 2, "needs a directory"},
		{[]string{"exec", "--config", cfg, "--only", "functions", "--", "true"}, 2, "only the auth and firestore"},
		{[]string{"start", "--config", cfg, "extra"}, 2, "unexpected arguments"},
		{[]string{"exec", "--config", cfg, "--ephemeral-ports", "--project", "Bad_ID", "--", "true"}, 1, "invalid project ID"},
		{[]string{"check"}, 2, "usage"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		if code := runContext(context.Background(), c.args, nil, &out, &errb); code != c.want || !strings.Contains(errb.String(), c.msg) {
			t.Errorf("%q: exit %d, stderr %q; want %d containing %q", c.args, code, errb.String(), c.want, c.msg)
		}
	}
}

// TestHelpExitsZero: -h on every subcommand prints its usage, starts
// nothing and exits 0.
func TestHelpExitsZero(t *testing.T) {
	for _, args := range [][]string{
		{"-h"}, {"help"}, {"start", "-h"}, {"start", "--help"}, {"exec", "-h"}, {"exec", "--only", "auth", "-h"},
		{"check", "-h"}, {"check", "some.rules", "--help"},
	} {
		var out, errb bytes.Buffer
		code := runContext(context.Background(), args, nil, &out, &errb)
		all := out.String() + errb.String()
		want := "roomgate-emulator " + args[0] // the subcommand's usage line
		if len(args) == 1 && args[0] != "check" {
			want = "roomgate-emulator start" // the list of subcommands
		}
		if code != 0 || !strings.Contains(all, "usage:") || !strings.Contains(all, want) || strings.Contains(all, "help requested") || strings.Contains(all, "ready") {
			t.Errorf("%q: exit %d, output:\n%s", args, code, all)
		}
	}
}

func TestNonDemoProjectWarnsLoudly(t *testing.T) {
	cfg := writeFile(t, t.TempDir(), "firebase.json", `{}`)
	var out, errb bytes.Buffer
	code := runContext(context.Background(), []string{"exec", "--config", cfg, "--ephemeral-ports", "--project", "real-project", "--", "true"}, nil, &out, &errb)
	if code != 0 || !strings.Contains(errb.String(), `WARNING: *** project "real-project" is not a demo- project ***`) {
		t.Errorf("exit %d, stderr:\n%s", code, errb.String())
	}
}

func TestPortInUseSuggestsEphemeralPorts(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	cfg := writeFile(t, t.TempDir(), "firebase.json", `{"emulators":{"firestore":{"port":`+port+`}}}`)
	var out, errb bytes.Buffer
	if code := runContext(context.Background(), []string{"exec", "--config", cfg, "--", "true"}, nil, &out, &errb); code != 1 || !strings.Contains(errb.String(), "--ephemeral-ports") {
		t.Errorf("exit %d, stderr:\n%s", code, errb.String())
	}
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.rules", "rules_version = '2';\nservice cloud.firestore {\n  match /databases/{database}/documents {\n    match /a/{b} {\n      allow read: if true;\n    }\n  }\n}\n")
	bad := writeFile(t, dir, "bad.rules", "service cloud.firestore {\n  match /a {\n    allow read: if a +;\n  }\n}\n")
	var out, errb bytes.Buffer
	if code := runContext(context.Background(), []string{"check", good, bad}, nil, &out, &errb); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if out.String() != good+": ok (rules_version 2, 1 allow statements)\n" {
		t.Errorf("stdout %q", out.String())
	}
	if want := bad + ":3:23: expected expression, found ';'\n    allow read: if a +;\n                      ^\n"; errb.String() != want {
		t.Errorf("stderr %q, want %q", errb.String(), want)
	}
	// The shipped rules pass.
	out.Reset()
	errb.Reset()
	if code := runContext(context.Background(), []string{"check", "../../firestore.rules"}, nil, &out, &errb); code != 0 {
		t.Errorf("firestore.rules: exit %d: %s", code, errb.String())
	}
	if strings.Contains(out.String(), "warning") {
		t.Errorf("firestore.rules has warnings:\n%s", out.String())
	}
	// Warnings are printed with positions and do not fail the check.
	warned := writeFile(t, dir, "warned.rules", "rules_version = '2';\nservice cloud.firestore {\n  match /databases/{database}/documents {\n    match /a/{b} {\n      allow read: if foo == 1;\n      allow nope: if true;\n    }\n  }\n}\n")
	out.Reset()
	errb.Reset()
	if code := runContext(context.Background(), []string{"check", warned}, nil, &out, &errb); code != 0 {
		t.Errorf("warned.rules: exit %d: %s", code, errb.String())
	}
	if want := warned + ":5:22: warning: Invalid variable name: foo.\n      allow read: if foo == 1;\n                     ^\n" +
		warned + ":6:13: warning: Invalid method name: nope.\n      allow nope: if true;\n            ^\n" +
		warned + ": ok (rules_version 2, 2 allow statements, 2 warnings)\n"; out.String() != want {
		t.Errorf("warnings: stdout %q, want %q", out.String(), want)
	}
	// Past 100 warnings a last line says how many were left out and the
	// summary counts them all.
	many := writeFile(t, dir, "many.rules", "rules_version = '2';\nservice cloud.firestore {\n  match /databases/{database}/documents {\n    match /a/{b} {\n"+
		strings.Repeat("      allow get: if 1;\n", 150)+"    }\n  }\n}\n")
	out.Reset()
	errb.Reset()
	if code := runContext(context.Background(), []string{"check", many}, nil, &out, &errb); code != 0 {
		t.Errorf("many.rules: exit %d: %s", code, errb.String())
	}
	if got := strings.Count(out.String(), "Permission statements expect a boolean value"); got != 100 {
		t.Errorf("%d warnings printed, want 100", got)
	}
	if want := many + ": warning: ... and 50 more warnings\n" + many + ": ok (rules_version 2, 150 allow statements, 150 warnings)\n"; !strings.HasSuffix(out.String(), want) {
		t.Errorf("many warnings: stdout ends %q, want %q", out.String()[max(0, len(out.String())-200):], want)
	}
	// A missing file and a file over the ruleset size limit fail with the
	// file named, and the other files are still checked.
	missing := dir + "/nope.rules"
	huge := writeFile(t, dir, "huge.rules", "// "+strings.Repeat("x", 256<<10)+"\n")
	out.Reset()
	errb.Reset()
	if code := runContext(context.Background(), []string{"check", missing, huge, good}, nil, &out, &errb); code != 1 {
		t.Errorf("missing and huge files: exit %d, want 1", code)
	}
	if !strings.Contains(errb.String(), "nope.rules") || !strings.Contains(errb.String(), "huge.rules: file is") {
		t.Errorf("stderr %q does not name both files", errb.String())
	}
	if !strings.Contains(out.String(), good+": ok") {
		t.Errorf("stdout %q lacks the good file", out.String())
	}
}

// syncBuffer is a bytes.Buffer safe for the emulator's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const openRules = `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /rooms/{room} { allow read: if true; }
  }
}
`

const closedRules = `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /rooms/{room} { allow read: if false; }
  }
}
`

func TestStartServesAndReloadsRules(t *testing.T) {
	dir := t.TempDir()
	rulesPath := writeFile(t, dir, "my.rules", openRules)
	fsPort, authPort := freePort(t), freePort(t)
	cfg := writeFile(t, dir, "firebase.json", fmt.Sprintf(`{"firestore":{"rules":"my.rules"},"emulators":{"firestore":{"host":"127.0.0.1","port":%d},"auth":{"port":%d}}}`, fsPort, authPort))
	export := filepath.Join(dir, "data")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- runContext(ctx, []string{"start", "--config", cfg, "--import", export, "--export-on-exit"}, nil, &out, &errb)
	}()
	waitFor(t, "the ready message", func() bool { return strings.Contains(out.String(), "Press Ctrl-C") })
	// The first run has nothing to import yet, and says so.
	if want := "nothing imported: " + export + " does not exist yet"; !strings.Contains(errb.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, errb.String())
	}
	fsAddr := fmt.Sprintf("127.0.0.1:%d", fsPort)
	for _, want := range []string{
		"export FIRESTORE_EMULATOR_HOST=" + fsAddr,
		"export FIREBASE_FIRESTORE_EMULATOR_ADDRESS=" + fsAddr,
		fmt.Sprintf("export FIREBASE_AUTH_EMULATOR_HOST=127.0.0.1:%d", authPort),
		"export GCLOUD_PROJECT=demo-roomgate",
		rulesPath + " (watched",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, out.String())
		}
	}

	user := emuclient.UserClient(t, fsAddr, "demo-roomgate", "") // unauthenticated
	readCode := func() codes.Code {
		_, err := user.Doc("rooms/r1").Get(context.Background())
		return status.Code(err)
	}
	if c := readCode(); c != codes.NotFound {
		t.Fatalf("read under open rules: %v, want NotFound", c)
	}

	// Editing the file closes the room.
	writeFile(t, dir, "my.rules", closedRules)
	waitFor(t, "the reload", func() bool { return strings.Contains(errb.String(), "rules reloaded from "+rulesPath) })
	if c := readCode(); c != codes.PermissionDenied {
		t.Fatalf("read after reload: %v, want PermissionDenied", c)
	}

	// A broken edit is reported with its position; the closed rules stay.
	writeFile(t, dir, "my.rules", "service cloud.firestore {\n  match /a {\n    allow read: if a +;\n  }\n}\n")
	waitFor(t, "the compile error", func() bool { return strings.Contains(errb.String(), "NOT reloaded") })
	if !strings.Contains(errb.String(), rulesPath+":3:23: expected expression") {
		t.Errorf("stderr lacks the positioned error:\n%s", errb.String())
	}
	if c := readCode(); c != codes.PermissionDenied {
		t.Fatalf("read after a broken edit: %v, want PermissionDenied (old rules kept)", c)
	}

	// Seed a document as admin so the export has something in it.
	admin := emuclient.AdminClient(t, fsAddr, "demo-roomgate")
	if _, err := admin.Doc("rooms/r1").Set(ctx, map[string]any{"name": "lobby"}); err != nil {
		t.Fatal(err)
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("start exited %d; stderr:\n%s", code, errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("start did not stop after its context ended")
	}
	if _, err := os.Stat(filepath.Join(export, "firestore_export", "roomgate-documents.json")); err != nil {
		t.Errorf("no export at exit: %v", err)
	}
	// The ports are free again.
	for _, p := range []int{fsPort, authPort} {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			t.Errorf("port %d still taken: %v", p, err)
			continue
		}
		l.Close()
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestExecReloadsRulesWhileTheCommandRuns(t *testing.T) {
	dir := t.TempDir()
	rulesPath := writeFile(t, dir, "my.rules", openRules)
	cfg := writeFile(t, dir, "firebase.json", `{"firestore":{"rules":"my.rules"}}`)
	closed := writeFile(t, dir, "closed.rules", closedRules)
	// The command replaces the rules file, then gives the watcher time.
	script := `cp "$1" "$2.tmp" && mv "$2.tmp" "$2" && sleep 1`
	var out bytes.Buffer
	var errb syncBuffer
	code := runContext(context.Background(), []string{"exec", "--config", cfg, "--ephemeral-ports", "--", "sh", "-c", script, "sh", closed, rulesPath},
		[]string{"PATH=" + os.Getenv("PATH")}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "rules reloaded from "+rulesPath) {
		t.Errorf("no reload logged:\n%s", errb.String())
	}
}
