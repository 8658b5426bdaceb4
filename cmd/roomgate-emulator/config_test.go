package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestLoadConfig checks the command's use of emulator/firebasejson (which
// has the table tests of the format): a missing file without --config
// means the defaults, with --config an error; a file found is read with
// the shared rules (localhost, defaults for missing ports, positions).
func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.json")
	cfg, err := loadConfig(missing, false)
	if err != nil || cfg.Path != "" || cfg.FirestoreAddr != "127.0.0.1:8080" || cfg.AuthAddr != "127.0.0.1:9099" || cfg.RulesPath != "" {
		t.Errorf("missing file, no --config: got %+v, %v", cfg, err)
	}
	if _, err := loadConfig(missing, true); err == nil || !strings.Contains(err.Error(), "nope.json") {
		t.Errorf("a missing --config file: %v", err)
	}
	p := writeFile(t, dir, "firebase.json", `{"firestore":{"rules":"r.rules"},"emulators":{"auth":{"host":"localhost"}}}`)
	cfg, err = loadConfig(p, false)
	if err != nil || cfg.Path != p || cfg.AuthAddr != "127.0.0.1:9099" || cfg.FirestoreAddr != "127.0.0.1:8080" || cfg.RulesPath != filepath.Join(dir, "r.rules") {
		t.Errorf("got %+v, %v", cfg, err)
	}
	p = writeFile(t, dir, "firebase.json", "{\n  \"emulators\": {,}\n}")
	if _, err := loadConfig(p, false); err == nil || !strings.Contains(err.Error(), "firebase.json: 2:17: invalid character ','") {
		t.Errorf("bad JSON: %v", err)
	}
}
