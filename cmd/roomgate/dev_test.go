package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
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

// startDev runs runDev in the background on free ports and waits until it
// has printed its setup. The returned stop cancels it and returns its
// error.
func startDev(t *testing.T) (output string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, logs := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- runDev(ctx, devOptions{Addr: "127.0.0.1:0", FreePorts: true, Log: logs}, out)
	}()
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			return fmt.Errorf("dev did not shut down within 30s")
		}
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("dev: %v", err)
		}
		if t.Failed() {
			t.Logf("dev logs:\n%s", logs.String())
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(out.String(), devReadyLine) {
		select {
		case err := <-done:
			stopped = true
			t.Fatalf("dev ended before it was ready: %v\n%s", err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("dev not ready after 60s:\n%s", out.String())
		}
	}
	return out.String(), stop
}

// parseDevOutput returns the exported variables and the curl command
// lines, each with the comment that preceded it.
func parseDevOutput(t *testing.T, text string) (env map[string]string, curls []string) {
	env = map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(line, "export "):
			k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
			if !ok {
				t.Fatalf("malformed export line %q", line)
			}
			env[k] = v
		case strings.HasPrefix(line, "curl "):
			curls = append(curls, line)
		}
	}
	return env, curls
}

// shellWords splits a command line the way sh does for the subset dev
// prints: words separated by spaces, '...' literal, "..." and bare words
// with $VAR expanded from env. An unknown variable fails the test: the
// printed commands must only use variables the output exports.
func shellWords(t *testing.T, line string, env map[string]string) []string {
	t.Helper()
	var words []string
	var cur strings.Builder
	inWord := false
	expand := func(s string, i int) int { // s[i] == '$'; returns the index after the name
		j := i + 1
		for j < len(s) && (s[j] == '_' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= '0' && s[j] <= '9') {
			j++
		}
		name := s[i+1 : j]
		v, ok := env[name]
		if !ok {
			t.Fatalf("command uses $%s, which the output does not export: %s", name, line)
		}
		cur.WriteString(v)
		return j
	}
	for i := 0; i < len(line); {
		c := line[i]
		switch {
		case c == ' ':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
			i++
		case c == '\'':
			end := strings.IndexByte(line[i+1:], '\'')
			if end < 0 {
				t.Fatalf("unterminated ' in %s", line)
			}
			cur.WriteString(line[i+1 : i+1+end])
			inWord, i = true, i+end+2
		case c == '"':
			i++
			for i < len(line) && line[i] != '"' {
				if line[i] == '$' {
					i = expand(line, i)
					continue
				}
				if line[i] == '\\' {
					t.Fatalf("backslash escapes are not expected in %s", line)
				}
				cur.WriteByte(line[i])
				i++
			}
			if i >= len(line) {
				t.Fatalf("unterminated \" in %s", line)
			}
			inWord, i = true, i+1
		case c == '$':
			i = expand(line, i)
			inWord = true
		default:
			cur.WriteByte(c)
			inWord, i = true, i+1
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// curlRequest turns a curl command line into an *http.Request. It knows
// exactly the options dev prints and fails on any other.
func curlRequest(t *testing.T, line string, env map[string]string) *http.Request {
	t.Helper()
	words := shellWords(t, line, env)
	if words[0] != "curl" {
		t.Fatalf("not a curl command: %s", line)
	}
	method, url, body := "", "", ""
	hdr := http.Header{}
	for i := 1; i < len(words); i++ {
		w := words[i]
		arg := func() string {
			if i+1 >= len(words) {
				t.Fatalf("%s needs a value: %s", w, line)
			}
			i++
			return words[i]
		}
		switch {
		case w == "-sS":
		case w == "-X":
			method = arg()
		case w == "-H":
			k, v, ok := strings.Cut(arg(), ":")
			if !ok {
				t.Fatalf("malformed header in %s", line)
			}
			hdr.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		case w == "-d":
			body = arg()
		case strings.HasPrefix(w, "-"):
			t.Fatalf("unexpected curl option %s in %s", w, line)
		default:
			if url != "" {
				t.Fatalf("two URLs in %s", line)
			}
			url = w
		}
	}
	if method == "" {
		method = http.MethodGet
		if body != "" {
			method = http.MethodPost // what curl -d does
		}
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	req.Header = hdr
	return req
}

// TestDevPrintedCurlCommandsWork runs `roomgate dev` in-process, executes
// every printed curl command through net/http, and then once more with the
// real curl in bash when both are installed, and checks clean shutdown.
func TestDevPrintedCurlCommandsWork(t *testing.T) {
	text, stop := startDev(t)
	env, curls := parseDevOutput(t, text)
	for _, k := range []string{"FIRESTORE_EMULATOR_HOST", "FIREBASE_AUTH_EMULATOR_HOST", "GCLOUD_PROJECT",
		"ROOMGATE_URL", "ALICE_UID", "ALICE_TOKEN", "BOB_UID", "BOB_TOKEN", "ROOM_ID"} {
		if env[k] == "" {
			t.Errorf("dev does not export %s", k)
		}
	}
	if env["GCLOUD_PROJECT"] != "demo-roomgate" {
		t.Errorf("project %q", env["GCLOUD_PROJECT"])
	}
	for _, who := range []string{"ALICE", "BOB"} {
		claims, err := tokenClaims(env[who+"_TOKEN"])
		if err != nil || claims["chat"] != true || claims["sub"] != env[who+"_UID"] {
			t.Errorf("%s's printed token is not an admitted token for %s: %v %v", who, env[who+"_UID"], claims, err)
		}
	}

	// What each command must do, found by method and path.
	type expect struct {
		status int
		check  func(body []byte) error
	}
	contains := func(frags ...string) func([]byte) error {
		return func(b []byte) error {
			for _, f := range frags {
				if !bytes.Contains(b, []byte(f)) {
					return fmt.Errorf("body lacks %q", f)
				}
			}
			return nil
		}
	}
	room, bob, url := env["ROOM_ID"], env["BOB_UID"], env["ROOMGATE_URL"]
	want := map[string]expect{
		"GET /healthz":          {200, contains(`"ok"`)},
		"GET /readyz":           {200, contains(`"status":"ok"`, `"firestore":"ok"`, `"auth":"ok"`)},
		"GET /openapi.json":     {200, contains(`"openapi"`, `"/v1/rooms"`)},
		"POST /v1/rooms":        {201, contains(`"id"`, bob, `"Weekend plans"`)},
		"GET /v1/rooms":         {200, contains(room)},
		"GET /v1/rooms/" + room: {200, contains(room, bob, env["ALICE_UID"], `"owner"`)},
		"DELETE /v1/rooms/" + room + "/members/" + bob: {200, contains(`"roomDeleted":false`)},
		"POST /v1/rooms/" + room + "/members":          {200, contains(bob)},
	}
	seen := map[string]bool{}
	for _, line := range curls {
		req := curlRequest(t, line, env)
		key := req.Method + " " + strings.TrimPrefix(req.URL.String(), url)
		w, ok := want[key]
		if !ok {
			t.Errorf("unexpected command %s (%s)", key, line)
			continue
		}
		seen[key] = true
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != w.status {
			t.Errorf("%s: status %d, want %d: %s", key, resp.StatusCode, w.status, b)
		} else if err := w.check(b); err != nil {
			t.Errorf("%s: %v: %s", key, err, b)
		}
	}
	for k := range want {
		if !seen[k] {
			t.Errorf("dev prints no command for %s", k)
		}
	}

	// The same commands through a real shell and curl: this proves the
	// quoting, not just our reading of it. Run after the net/http pass,
	// which left bob in the room again, so remove-then-add works twice.
	if _, err := exec.LookPath("curl"); err == nil {
		if _, err := exec.LookPath("bash"); err == nil {
			var exports strings.Builder
			for _, line := range strings.Split(text, "\n") {
				if strings.HasPrefix(line, "export ") {
					exports.WriteString(line + "\n")
				}
			}
			for _, line := range curls {
				script := exports.String() + line + ` -o /dev/null -w '%{http_code}'`
				out, err := exec.Command("bash", "-c", script).Output()
				if err != nil || len(out) != 3 || out[0] != '2' {
					t.Errorf("bash+curl: %s: status %q, %v", line, out, err)
				}
			}
		}
	} else {
		t.Log("curl is not installed; the commands were checked through net/http only")
	}

	if err := stop(); err != nil {
		t.Fatalf("dev did not shut down cleanly: %v", err)
	}
	for _, addr := range []string{strings.TrimPrefix(url, "http://"), env["FIRESTORE_EMULATOR_HOST"], env["FIREBASE_AUTH_EMULATOR_HOST"]} {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Errorf("%s still accepts connections after shutdown", addr)
		}
	}
}

// TestDevRefusesNonDemoProject keeps dev away from anything that could be
// a real project: with emulators the Admin SDK skips signature checks.
func TestDevRefusesNonDemoProject(t *testing.T) {
	err := runDev(context.Background(), devOptions{ProjectID: "my-production", FreePorts: true}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "demo-") {
		t.Fatalf("got %v", err)
	}
}

func TestLocateProject(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	// Nothing anywhere: an error that says what to do, never an
	// emulator without rules.
	if _, err := locateProject(sub, "", ""); err == nil || !strings.Contains(err.Error(), "--rules") {
		t.Fatalf("no rules: got %v", err)
	}
	// firestore.rules alone, two levels up: found, free ports.
	rules := filepath.Join(root, "firestore.rules")
	os.WriteFile(rules, []byte("rules_version = '2';"), 0o644)
	lp, err := locateProject(sub, "", "")
	if err != nil || lp.RulesPath != rules || lp.FirestoreAddr != "" || lp.AuthAddr != "" || lp.ConfigPath != "" {
		t.Fatalf("rules only: %+v %v", lp, err)
	}
	// firebase.json with ports and a rules path relative to it; keys of
	// other products and non-object emulator keys are ignored.
	os.MkdirAll(filepath.Join(root, "conf"), 0o755)
	os.WriteFile(filepath.Join(root, "conf", "my.rules"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(root, "firebase.json"), []byte(`{
	  "hosting": {"public": "x"},
	  "firestore": [{"database": "other", "rules": "nope.rules"}, {"database": "(default)", "rules": "conf/my.rules"}],
	  "emulators": {"firestore": {"port": "8181"}, "auth": {"host": "localhost", "port": 9199}, "singleProjectMode": true, "ui": {"enabled": false}}
	}`), 0o644)
	lp, err = locateProject(sub, "", "")
	if err != nil || lp.RulesPath != filepath.Join(root, "conf", "my.rules") ||
		lp.FirestoreAddr != "127.0.0.1:8181" || lp.AuthAddr != "127.0.0.1:9199" {
		t.Fatalf("firebase.json: %+v %v", lp, err)
	}
	// --rules wins over firebase.json; a missing file is an error.
	if lp, err = locateProject(sub, rules, ""); err != nil || lp.RulesPath != rules {
		t.Fatalf("--rules: %+v %v", lp, err)
	}
	if _, err = locateProject(sub, filepath.Join(root, "missing.rules"), ""); err == nil {
		t.Fatal("a missing --rules file was accepted")
	}
	// A bad port is reported with the file name.
	os.WriteFile(filepath.Join(root, "firebase.json"), []byte(`{"emulators": {"auth": {"port": 70000}}}`), 0o644)
	if _, err = locateProject(sub, "", ""); err == nil || !strings.Contains(err.Error(), "emulators.auth.port") {
		t.Fatalf("bad port: %v", err)
	}
}

// TestStartEmulatorsFallsBackFromBusyPort: a second dev (or Google's
// emulator) on firebase.json's ports must not stop dev from starting.
func TestStartEmulatorsFallsBackFromBusyPort(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	rules, err := filepath.Abs("../../firestore.rules")
	if err != nil {
		t.Fatal(err)
	}
	lp := localProject{ConfigPath: "firebase.json", RulesPath: rules, FirestoreAddr: busy.Addr().String()}
	var notes bytes.Buffer
	emu, err := startEmulators(lp, "demo-roomgate", false, func(string, ...any) {}, &notes)
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	if emu.FirestoreAddr == busy.Addr().String() || !strings.Contains(notes.String(), "in use") {
		t.Fatalf("firestore on %s, notes %q", emu.FirestoreAddr, notes.String())
	}
}

// TestDevSubcommandFlags checks the flags reach runDev's options.
func TestDevSubcommandFlags(t *testing.T) {
	o, err := parseDevFlags([]string{"--addr", "127.0.0.1:9", "--rules", "x.rules", "--free-ports", "--project", "demo-x"}, io.Discard)
	if err != nil || o.Addr != "127.0.0.1:9" || o.RulesPath != "x.rules" || !o.FreePorts || o.ProjectID != "demo-x" {
		t.Fatalf("%+v %v", o, err)
	}
	if _, err := parseDevFlags([]string{"extra"}, io.Discard); err == nil {
		t.Fatal("a stray argument was accepted")
	}
}
