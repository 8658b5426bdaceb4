package devstack

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
	// firestore.rules alone, two levels up: found, with the default
	// ports of emulator/firebasejson (as roomgate-emulator uses).
	rules := filepath.Join(root, "firestore.rules")
	os.WriteFile(rules, []byte("rules_version = '2';"), 0o644)
	lp, err := locateProject(sub, "", "")
	if err != nil || lp.RulesPath != rules || lp.FirestoreAddr != "127.0.0.1:8080" || lp.AuthAddr != "127.0.0.1:9099" || lp.ConfigPath != "" {
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
	// Errors of firebase.json are reported with the file name: a bad
	// port, bad JSON (with its position), a list of databases without
	// the default one (never an emulator without rules).
	for body, want := range map[string]string{
		`{"emulators": {"auth": {"port": 70000}}}`:               "firebase.json: emulators.auth: port 70000",
		"{\n  \"emulators\": {,}}":                               "firebase.json: 2:17: invalid character",
		`{"firestore": [{"database": "x", "rules": "x.rules"}]}`: `no entry for the "(default)" database`,
	} {
		os.WriteFile(filepath.Join(root, "firebase.json"), []byte(body), 0o644)
		if _, err = locateProject(sub, "", ""); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", body, err, want)
		}
	}
	// --config names the file to read instead of the search.
	other := filepath.Join(root, "conf", "other.json")
	os.WriteFile(other, []byte(`{"emulators": {"firestore": {"host": "localhost", "port": 1}}}`), 0o644)
	if lp, err = locateProject(sub, "", other); err != nil || lp.ConfigPath != other || lp.FirestoreAddr != "127.0.0.1:1" || lp.RulesPath != rules {
		t.Fatalf("--config: %+v %v", lp, err)
	}
	if _, err = locateProject(sub, "", filepath.Join(root, "missing.json")); err == nil {
		t.Fatal("a missing --config file was accepted")
	}
}
