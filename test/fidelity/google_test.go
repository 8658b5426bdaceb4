package fidelity

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// defaultGoogleEmulator is where the Cloud SDK's
// cloud-firestore-emulator component installs its launcher script.
const defaultGoogleEmulator = "/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud_firestore_emulator"

// googleReadyTimeout bounds the JVM start (about 3 s on the CI image).
const googleReadyTimeout = 90 * time.Second

// syncBuffer collects the emulator's output from its pipe goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b.Len() > 4<<20 { // keep the head; a runaway log must not eat memory
		return len(p), nil
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// googleEmulatorPath returns the launcher script, or skips the test with
// the reason it cannot run.
func googleEmulatorPath(t testing.TB) string {
	t.Helper()
	path := os.Getenv("ROOMGATE_GOOGLE_FIRESTORE_EMULATOR")
	if path == "" {
		path = defaultGoogleEmulator
	}
	if _, err := os.Stat(path); err != nil {
		t.Skipf("SKIPPED, NOT PASSED: Google's Cloud Firestore emulator not found (%v); "+
			"install the cloud-firestore-emulator gcloud component or set ROOMGATE_GOOGLE_FIRESTORE_EMULATOR", err)
	}
	java := os.Getenv("JAVA")
	if java == "" {
		java = "java"
	}
	if _, err := exec.LookPath(java); err != nil {
		t.Skipf("SKIPPED, NOT PASSED: Google's Cloud Firestore emulator needs java: %v", err)
	}
	return path
}

// freeLoopbackPort asks the kernel for a free port on 127.0.0.1. Another
// process could take it before the emulator binds it; the emulator then
// exits and startGoogle reports its output.
func freeLoopbackPort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startGoogle starts Google's emulator on a free loopback port in its own
// process group, waits until it answers "Ok", and returns its host:port.
// Cleanup kills the whole group (the script runs java as a child); the
// emulator's output goes to the test log only when the test failed.
func startGoogle(t testing.TB) string {
	t.Helper()
	path := googleEmulatorPath(t)
	port := freeLoopbackPort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(path, "start", "--host=127.0.0.1", fmt.Sprintf("--port=%d", port))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = withoutEmulatorEnv(os.Environ())
	if err := cmd.Start(); err != nil {
		t.Fatalf("start Google's emulator %s: %v", path, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
		if t.Failed() {
			t.Logf("Google's emulator output:\n%s", out.String())
		}
	})

	web := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(googleReadyTimeout)
	for {
		select {
		case <-exited:
			t.Fatalf("Google's emulator exited before it was ready:\n%s", out.String())
		default:
		}
		if googleReady(web, addr) {
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("Google's emulator not ready on %s after %v:\n%s", addr, googleReadyTimeout, out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func googleReady(web *http.Client, addr string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/", nil)
	resp, err := web.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	return resp.StatusCode == http.StatusOK && strings.TrimSpace(string(b)) == "Ok"
}

// withoutEmulatorEnv drops variables that would point the child at another
// emulator or project.
func withoutEmulatorEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if strings.HasPrefix(kv, "FIRESTORE_EMULATOR_HOST=") || strings.HasPrefix(kv, "DATASTORE_EMULATOR_HOST=") {
			continue
		}
		out = append(out, kv)
	}
	return out
}
