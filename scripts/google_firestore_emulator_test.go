package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeEmulator writes an executable that acts as Google's emulator
// launcher as far as the script can tell: it records that it ran and
// prints the line the script waits for, then waits to be stopped.
func fakeEmulator(t *testing.T, dir, name string) (path, marker string) {
	t.Helper()
	path = filepath.Join(dir, name)
	marker = path + ".ran"
	script := "#!/bin/sh\ntouch '" + marker + "'\necho 'Dev App Server is now running.'\nexec sleep 60\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path, marker
}

// runScript runs google-firestore-emulator.sh with env added to a minimal
// environment and a command that prints FIRESTORE_EMULATOR_HOST.
func runScript(t *testing.T, env ...string) string {
	t.Helper()
	for _, tool := range []string{"bash", "setsid"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SKIPPED, NOT PASSED: %s not installed: %v", tool, err)
		}
	}
	cmd := exec.Command("./google-firestore-emulator.sh", "--", "sh", "-c", "echo host=$FIRESTORE_EMULATOR_HOST")
	// No gcloud on PATH: only the variables can name the emulator.
	cmd.Env = append([]string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir()}, env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("script failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "host=127.0.0.1:") {
		t.Errorf("the command did not get FIRESTORE_EMULATOR_HOST:\n%s", out)
	}
	return string(out)
}

// TestEmulatorSetting checks that the script finds the emulator through
// ROOMGATE_GOOGLE_FIRESTORE_EMULATOR (the name test/fidelity reads), that
// the old GOOGLE_FIRESTORE_EMULATOR still works, and that the new name
// wins when both are set.
func TestEmulatorSetting(t *testing.T) {
	dir := t.TempDir()
	newEmu, newRan := fakeEmulator(t, dir, "new")
	oldEmu, oldRan := fakeEmulator(t, dir, "old")

	runScript(t, "ROOMGATE_GOOGLE_FIRESTORE_EMULATOR="+newEmu)
	if _, err := os.Stat(newRan); err != nil {
		t.Errorf("ROOMGATE_GOOGLE_FIRESTORE_EMULATOR was not used: %v", err)
	}
	os.Remove(newRan)

	runScript(t, "GOOGLE_FIRESTORE_EMULATOR="+oldEmu)
	if _, err := os.Stat(oldRan); err != nil {
		t.Errorf("the old GOOGLE_FIRESTORE_EMULATOR no longer works: %v", err)
	}
	os.Remove(oldRan)

	runScript(t, "ROOMGATE_GOOGLE_FIRESTORE_EMULATOR="+newEmu, "GOOGLE_FIRESTORE_EMULATOR="+oldEmu)
	if _, err := os.Stat(newRan); err != nil {
		t.Errorf("with both set, ROOMGATE_GOOGLE_FIRESTORE_EMULATOR was not used: %v", err)
	}
	if _, err := os.Stat(oldRan); err == nil {
		t.Error("with both set, the old name won")
	}
}
