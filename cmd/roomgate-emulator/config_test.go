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

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, json      string
		fs, auth, rules string // rules relative to dir
	}{
		{"the repository's layout", `{"firestore":{"rules":"firestore.rules"},"emulators":{"auth":{"host":"127.0.0.1","port":9099},"firestore":{"host":"127.0.0.1","port":8080},"ui":{"enabled":false},"singleProjectMode":true}}`,
			"127.0.0.1:8080", "127.0.0.1:9099", "firestore.rules"},
		{"empty object: CLI default ports", `{}`, "127.0.0.1:8080", "127.0.0.1:9099", ""},
		{"port only, and as a string", `{"emulators":{"firestore":{"port":"8181"},"auth":{"port":9199}}}`, "127.0.0.1:8181", "127.0.0.1:9199", ""},
		{"host only", `{"emulators":{"firestore":{"host":"0.0.0.0"}}}`, "0.0.0.0:8080", "127.0.0.1:9099", ""},
		{"IPv6 host", `{"emulators":{"auth":{"host":"::1","port":1}}}`, "127.0.0.1:8080", "[::1]:1", ""},
		{"array of databases picks (default)", `{"firestore":[{"database":"other","rules":"o.rules"},{"database":"(default)","rules":"d.rules"}]}`,
			"127.0.0.1:8080", "127.0.0.1:9099", "d.rules"},
		{"array entry without database is the default", `{"firestore":[{"rules":"sub/x.rules"}]}`, "127.0.0.1:8080", "127.0.0.1:9099", "sub/x.rules"},
		{"unknown products are ignored", `{"hosting":{"public":"dist"},"functions":[{"source":"f"}]}`, "127.0.0.1:8080", "127.0.0.1:9099", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := writeFile(t, dir, "firebase.json", c.json)
			cfg, err := loadConfig(p, true)
			if err != nil {
				t.Fatal(err)
			}
			wantRules := ""
			if c.rules != "" {
				wantRules = filepath.Join(dir, c.rules)
			}
			if cfg.FirestoreAddr != c.fs || cfg.AuthAddr != c.auth || cfg.RulesPath != wantRules || cfg.Path != p {
				t.Errorf("got %+v, want firestore %s auth %s rules %q", cfg, c.fs, c.auth, wantRules)
			}
		})
	}

	t.Run("absolute rules path is kept", func(t *testing.T) {
		abs := filepath.Join(t.TempDir(), "abs.rules")
		p := writeFile(t, dir, "firebase.json", `{"firestore":{"rules":"`+abs+`"}}`)
		if cfg, err := loadConfig(p, true); err != nil || cfg.RulesPath != abs {
			t.Errorf("got %+v, %v", cfg, err)
		}
	})
	t.Run("missing file: defaults unless --config was given", func(t *testing.T) {
		p := filepath.Join(dir, "nope.json")
		cfg, err := loadConfig(p, false)
		if err != nil || cfg.Path != "" || cfg.FirestoreAddr != "127.0.0.1:8080" || cfg.RulesPath != "" {
			t.Errorf("got %+v, %v", cfg, err)
		}
		if _, err := loadConfig(p, true); err == nil {
			t.Error("a missing --config file was accepted")
		}
	})
}

func TestLoadConfigErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct{ name, json, want string }{
		{"syntax error with line and column", "{\n  \"emulators\": {\n    \"auth\": {\"port\": 9099,}\n  }\n}", "firebase.json: 3:28: invalid character '}'"},
		{"port out of range", `{"emulators":{"firestore":{"port":70000}}}`, "emulators.firestore: port 70000 is not a port number"},
		{"port not a number", `{"emulators":{"auth":{"port":"abc"}}}`, `emulators.auth: port "abc" is not a port number`},
		{"negative port", `{"emulators":{"auth":{"port":-1}}}`, "emulators.auth: port -1"},
		{"wrong type for emulators", `{"emulators":[]}`, "cannot unmarshal array"},
		{"rules not a string", `{"firestore":{"rules":3}}`, "firestore: json: cannot unmarshal number"},
		{"databases without (default)", `{"firestore":[{"database":"x","rules":"x.rules"}]}`, `no entry for the "(default)" database`},
		{"host with a slash", `{"emulators":{"auth":{"host":"a/b"}}}`, "is not a host name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := writeFile(t, dir, "firebase.json", c.json)
			_, err := loadConfig(p, true)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestJoinExportDir(t *testing.T) {
	if got := strings.Join(joinExportDir(strings.Fields("--quiet --export-on-exit d"), false), " "); got != "--quiet --export-on-exit=d" {
		t.Errorf("start: got %q", got)
	}
	cases := []struct{ in, want string }{ // exec
		{"--export-on-exit d --quiet", "--export-on-exit d --quiet"},
		{"--export-on-exit --quiet", "--export-on-exit --quiet"},
		{"--export-on-exit -- npm test", "--export-on-exit -- npm test"},
		{"--export-on-exit npm test", "--export-on-exit npm test"}, // no "--": npm is the command
		{"--import d --export-on-exit out -- x", "--import d --export-on-exit=out -- x"},
	}
	for _, c := range cases {
		if got := strings.Join(joinExportDir(strings.Fields(c.in), true), " "); got != c.want {
			t.Errorf("joinExportDir(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
