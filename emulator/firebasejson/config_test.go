package firebasejson

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParse covers the cases on which roomgate's two former readers of
// firebase.json disagreed (localhost, missing ports, a missing database
// entry) and the layouts the Firebase CLI accepts.
func TestParse(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "firebase.json")
	cases := []struct {
		name, json      string
		fs, auth, rules string // rules relative to dir
	}{
		{"the repository's layout", `{"firestore":{"rules":"firestore.rules"},"emulators":{"auth":{"host":"127.0.0.1","port":9099},"firestore":{"host":"127.0.0.1","port":8080},"ui":{"enabled":false},"singleProjectMode":true}}`,
			"127.0.0.1:8080", "127.0.0.1:9099", "firestore.rules"},
		// Missing ports: the defaults, never a free port.
		{"empty object", `{}`, "127.0.0.1:8080", "127.0.0.1:9099", ""},
		{"emulators without entries", `{"emulators":{}}`, "127.0.0.1:8080", "127.0.0.1:9099", ""},
		{"entries without ports", `{"emulators":{"firestore":{},"auth":{"host":"127.0.0.1"}}}`, "127.0.0.1:8080", "127.0.0.1:9099", ""},
		{"null ports", `{"emulators":{"firestore":{"port":null},"auth":{"port":null}}}`, "127.0.0.1:8080", "127.0.0.1:9099", ""},
		{"null emulators", `{"emulators":null,"firestore":null}`, "127.0.0.1:8080", "127.0.0.1:9099", ""},
		{"port as a string", `{"emulators":{"firestore":{"port":"8181"},"auth":{"port":9199}}}`, "127.0.0.1:8181", "127.0.0.1:9199", ""},
		{"port 0 is a free port", `{"emulators":{"auth":{"port":0}}}`, "127.0.0.1:8080", "127.0.0.1:0", ""},
		// localhost: one way, 127.0.0.1, with or without a port.
		{"localhost", `{"emulators":{"auth":{"host":"localhost","port":9199},"firestore":{"host":"LocalHost"}}}`, "127.0.0.1:8080", "127.0.0.1:9199", ""},
		{"another host name is kept", `{"emulators":{"auth":{"host":"emu.internal"}}}`, "127.0.0.1:8080", "emu.internal:9099", ""},
		{"all interfaces", `{"emulators":{"firestore":{"host":"0.0.0.0"}}}`, "0.0.0.0:8080", "127.0.0.1:9099", ""},
		{"IPv6 host", `{"emulators":{"auth":{"host":"::1","port":1}}}`, "127.0.0.1:8080", "[::1]:1", ""},
		{"IPv6 host in brackets", `{"emulators":{"auth":{"host":"[::1]","port":1}}}`, "127.0.0.1:8080", "[::1]:1", ""},
		// The default database's rules.
		{"array picks (default)", `{"firestore":[{"database":"other","rules":"o.rules"},{"database":"(default)","rules":"d.rules"}]}`,
			"127.0.0.1:8080", "127.0.0.1:9099", "d.rules"},
		{"array entry without database is the default", `{"firestore":[{"rules":"sub/x.rules"}]}`, "127.0.0.1:8080", "127.0.0.1:9099", "sub/x.rules"},
		{"object naming (default)", `{"firestore":{"database":"(default)","rules":"f.rules"}}`, "127.0.0.1:8080", "127.0.0.1:9099", "f.rules"},
		{"firestore without rules", `{"firestore":{"indexes":"firestore.indexes.json"}}`, "127.0.0.1:8080", "127.0.0.1:9099", ""},
		{"unknown products are ignored", `{"hosting":{"public":"dist"},"functions":[{"source":"f"}]}`, "127.0.0.1:8080", "127.0.0.1:9099", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Parse(path, []byte(c.json))
			if err != nil {
				t.Fatal(err)
			}
			wantRules := ""
			if c.rules != "" {
				wantRules = filepath.Join(dir, c.rules)
			}
			if cfg.FirestoreAddr != c.fs || cfg.AuthAddr != c.auth || cfg.RulesPath != wantRules || cfg.Path != path {
				t.Errorf("got %+v, want firestore %s auth %s rules %q", cfg, c.fs, c.auth, wantRules)
			}
		})
	}
	t.Run("absolute rules path is kept", func(t *testing.T) {
		abs := filepath.Join(t.TempDir(), "abs.rules")
		if cfg, err := Parse(path, []byte(`{"firestore":{"rules":"`+abs+`"}}`)); err != nil || cfg.RulesPath != abs {
			t.Errorf("got %+v, %v", cfg, err)
		}
	})
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ name, json, want string }{
		// Bad JSON: the line and column of the fault.
		{"syntax error", "{\n  \"emulators\": {\n    \"auth\": {\"port\": 9099,}\n  }\n}", "firebase.json: 3:27: invalid character '}'"},
		{"truncated", "{\n  \"emulators\": {", "firebase.json: 2:17: unexpected end of JSON input"},
		{"empty file", "", "firebase.json: 1:1: unexpected end of JSON input"},
		{"trailing garbage", "{}\n}", "firebase.json: 2:1: invalid character '}' after top-level value"},
		{"wrong type for emulators", "{\n \"emulators\": []}", "firebase.json: 2:16: json: cannot unmarshal array"},
		{"wrong type for an emulator", `{"emulators":{"auth":true}}`, "firebase.json: 1:26: json: cannot unmarshal bool"},
		{"rules not a string", "{\"firestore\":\n  {\"rules\":3}}", "firebase.json: 2:13: json: cannot unmarshal number"},
		{"rules not a string in an array", "{\"firestore\":[{\"rules\":true}]}", "firebase.json: 1:28: json: cannot unmarshal bool"},
		{"not an object", `[1]`, "firebase.json: 1:2: json: cannot unmarshal array"},
		// A missing database entry: an error, not an emulator without rules.
		{"databases without (default)", `{"firestore":[{"database":"x","rules":"x.rules"}]}`, `no entry for the "(default)" database`},
		{"empty database array", `{"firestore":[]}`, `no entry for the "(default)" database`},
		{"two (default) entries", `{"firestore":[{"rules":"a"},{"database":"(default)","rules":"b"}]}`, `more than one entry for the "(default)" database`},
		{"object for another database", `{"firestore":{"database":"x","rules":"x.rules"}}`, `database "x": only the "(default)" database is emulated`},
		// Ports and hosts.
		{"port out of range", `{"emulators":{"firestore":{"port":70000}}}`, "emulators.firestore: port 70000 is not a port number"},
		{"port not a number", `{"emulators":{"auth":{"port":"abc"}}}`, `emulators.auth: port "abc" is not a port number`},
		{"negative port", `{"emulators":{"auth":{"port":-1}}}`, "emulators.auth: port -1"},
		{"fractional port", `{"emulators":{"auth":{"port":9099.5}}}`, "emulators.auth: port 9099.5"},
		{"host with a slash", `{"emulators":{"auth":{"host":"a/b"}}}`, `emulators.auth: host "a/b" is not a host name`},
		{"host with a space", `{"emulators":{"firestore":{"host":"a b"}}}`, `emulators.firestore: host "a b" is not a host name`},
		{"host with a port", `{"emulators":{"firestore":{"host":"127.0.0.1:1"}}}`, `is not a host name`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("firebase.json", []byte(c.json))
			if err == nil || !strings.HasPrefix(err.Error(), "firebase.json: ") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "none.json")
	if _, err := Load(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	p := filepath.Join(dir, "firebase.json")
	if err := os.WriteFile(p, []byte(`{"firestore":{"rules":"r.rules"},"emulators":{"auth":{"port":1}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(p)
	if err != nil || cfg.Path != p || cfg.RulesPath != filepath.Join(dir, "r.rules") || cfg.AuthAddr != "127.0.0.1:1" || cfg.FirestoreAddr != "127.0.0.1:8080" {
		t.Fatalf("got %+v, %v", cfg, err)
	}
}

func TestDefaults(t *testing.T) {
	d := Defaults()
	if d.FirestoreAddr != "127.0.0.1:8080" || d.AuthAddr != "127.0.0.1:9099" || d.Path != "" || d.RulesPath != "" {
		t.Fatalf("%+v", d)
	}
	// Parsing an empty object gives the same addresses.
	p, err := Parse("f.json", []byte("{}"))
	if err != nil || p.FirestoreAddr != d.FirestoreAddr || p.AuthAddr != d.AuthAddr {
		t.Fatalf("%+v %v", p, err)
	}
}
