package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGoogleEmulatorsCheckNamesWhatIsMissing runs google-emulators.sh
// --check from a copy of the repository layout that has no firebase-tools
// and no Cloud SDK: it must fail and name both, so make test-google can
// say why Google's Auth emulator was skipped.
func TestGoogleEmulatorsCheckNamesWhatIsMissing(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skipf("SKIPPED, NOT PASSED: bash not installed: %v", err)
	}
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "scripts"), 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("google-emulators.sh")
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(root, "scripts", "google-emulators.sh")
	if err := os.WriteFile(script, src, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(script, "--check")
	// No gcloud on PATH and an emulator setting that names nothing.
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "ROOMGATE_GOOGLE_FIRESTORE_EMULATOR=" + filepath.Join(root, "none", "cloud_firestore_emulator")}
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("--check succeeded without firebase-tools:\n%s", out)
	}
	if !strings.Contains(string(out), "firebase-tools (run make setup)") {
		t.Errorf("--check does not name the missing firebase-tools:\n%s", out)
	}
	if _, statErr := os.Stat("/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar"); statErr != nil &&
		!strings.Contains(string(out), "the Cloud SDK's Firestore emulator") {
		t.Errorf("--check does not name the missing Firestore emulator:\n%s", out)
	}
}
