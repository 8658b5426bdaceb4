package devstack

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
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

// startDev runs RunDev in the background on free ports and waits until it
// has printed its setup. The returned stop cancels it and returns its
// error.
func startDev(t *testing.T) (output string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, logs := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- RunDev(ctx, DevOptions{Addr: "127.0.0.1:0", FreePorts: true, Log: logs}, out)
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
	for !strings.Contains(out.String(), DevReadyLine) {
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

// TestDevPrintedCurlCommandsWork runs the local stack in-process, executes
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
	err := RunDev(context.Background(), DevOptions{ProjectID: "my-production", FreePorts: true}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "demo-") {
		t.Fatalf("got %v", err)
	}
}
