package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
)

// TestOnlyStartsTheNamedEmulators runs exec with each --only value and
// checks, from inside the command, which variables it got, that the
// emulators named answer on them, and that the one left out is not
// listening on its firebase.json port.
func TestOnlyStartsTheNamedEmulators(t *testing.T) {
	for _, c := range []struct {
		only            string
		firestore, auth bool
	}{
		{"auth", false, true},
		{"firestore", true, false},
		{"auth,firestore", true, true},
		{"", true, true},
	} {
		t.Run(c.only, func(t *testing.T) {
			fsPort, authPort := freePort(t), freePort(t)
			dir := t.TempDir()
			cfg := writeFile(t, dir, "firebase.json", fmt.Sprintf(`{"emulators":{"firestore":{"port":%d},"auth":{"port":%d}}}`, fsPort, authPort))
			// The command reports the variables and whether each port answers.
			script := `env; for p in ` + fmt.Sprint(fsPort, " ", authPort) + `; do (echo >/dev/tcp/127.0.0.1/$p) 2>/dev/null && echo OPEN=$p; done; true`
			args := []string{"exec", "--config", cfg, "--quiet"}
			if c.only != "" {
				args = append(args, "--only", c.only)
			}
			args = append(args, "--", "bash", "-c", script)
			var out, errb bytes.Buffer
			if code := runContext(context.Background(), args, []string{"PATH=" + os.Getenv("PATH")}, &out, &errb); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			got := out.String()
			fsAddr, authAddr := fmt.Sprintf("127.0.0.1:%d", fsPort), fmt.Sprintf("127.0.0.1:%d", authPort)
			checks := []struct {
				line string
				want bool
			}{
				{"FIRESTORE_EMULATOR_HOST=" + fsAddr, c.firestore},
				{"FIREBASE_FIRESTORE_EMULATOR_ADDRESS=" + fsAddr, c.firestore},
				{fmt.Sprint("OPEN=", fsPort), c.firestore},
				{"FIREBASE_AUTH_EMULATOR_HOST=" + authAddr, c.auth},
				{fmt.Sprint("OPEN=", authPort), c.auth},
				{"GCLOUD_PROJECT=demo-roomgate", true},
			}
			for _, ch := range checks {
				if has := strings.Contains(got, ch.line+"\n"); has != ch.want {
					t.Errorf("--only %q: output has %q = %v, want %v", c.only, ch.line, has, ch.want)
				}
			}
			if !c.auth && strings.Contains(got, "FIREBASE_AUTH_EMULATOR_HOST") || !c.firestore && strings.Contains(got, "FIRESTORE_EMULATOR") {
				t.Errorf("--only %q: a variable for an emulator left out:\n%s", c.only, got)
			}
		})
	}
}

// TestStartOnlyFirestore checks start's banner and exports with --only.
func TestStartOnlyFirestore(t *testing.T) {
	dir := t.TempDir()
	authPort := freePort(t)
	cfg := writeFile(t, dir, "firebase.json", fmt.Sprintf(`{"emulators":{"auth":{"port":%d}}}`, authPort))
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- runContext(ctx, []string{"start", "--config", cfg, "--ephemeral-ports", "--quiet", "--only", "firestore"}, nil, &out, &errb)
	}()
	waitFor(t, "the ready message", func() bool { return strings.Contains(out.String(), "Press Ctrl-C") })
	got := out.String()
	if !strings.Contains(got, "export FIRESTORE_EMULATOR_HOST=127.0.0.1:") || strings.Contains(got, "AUTH") || strings.Contains(got, "Auth ") {
		t.Errorf("banner for --only firestore:\n%s", got)
	}
	if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", authPort)); err == nil {
		c.Close()
		t.Error("the Auth port answers under --only firestore")
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d: %s", code, errb.String())
	}
}
