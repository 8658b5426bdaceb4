package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Default ports and host of the Firebase CLI (emulator-protocols.md §4.1).
// The CLI's default host is "localhost"; we bind 127.0.0.1 so that the
// address is the same whether localhost resolves to IPv4 or IPv6 first.
const (
	defaultHost          = "127.0.0.1"
	defaultFirestorePort = 8080
	defaultAuthPort      = 9099
)

// config is what the emulator takes from firebase.json.
type config struct {
	// Path is the file read, "" when none was found and defaults apply.
	Path string
	// FirestoreAddr and AuthAddr are host:port to listen on.
	FirestoreAddr, AuthAddr string
	// RulesPath is the Firestore rules file, resolved against the
	// directory of firebase.json; "" if none is configured.
	RulesPath string
}

// firebaseJSON is the part of firebase.json we read. Unknown keys (ui,
// hub, hosting, functions...) are ignored, as the CLI ignores keys of
// products it is not asked to run.
type firebaseJSON struct {
	Firestore json.RawMessage `json:"firestore"`
	Emulators struct {
		Firestore *emulatorJSON `json:"firestore"`
		Auth      *emulatorJSON `json:"auth"`
	} `json:"emulators"`
}

type emulatorJSON struct {
	Host string          `json:"host"`
	Port json.RawMessage `json:"port"` // a number, or a numeric string as the CLI accepts
}

// firestoreJSON is one entry of "firestore": an object, or an array of
// them for several databases.
type firestoreJSON struct {
	Database string `json:"database"`
	Target   string `json:"target"`
	Rules    string `json:"rules"`
}

// loadConfig reads firebase.json at path. When the file does not exist
// and mustExist is false (no --config given), the defaults are returned.
func loadConfig(path string, mustExist bool) (config, error) {
	cfg := config{
		FirestoreAddr: joinHostPort(defaultHost, defaultFirestorePort),
		AuthAddr:      joinHostPort(defaultHost, defaultAuthPort),
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !mustExist {
		return cfg, nil
	}
	if err != nil {
		return cfg, err
	}
	cfg.Path = path
	var fj firebaseJSON
	if err := json.Unmarshal(b, &fj); err != nil {
		return cfg, fmt.Errorf("%s: %s", path, describeJSONError(b, err))
	}
	if cfg.FirestoreAddr, err = fj.Emulators.Firestore.addr(defaultFirestorePort); err != nil {
		return cfg, fmt.Errorf("%s: emulators.firestore: %w", path, err)
	}
	if cfg.AuthAddr, err = fj.Emulators.Auth.addr(defaultAuthPort); err != nil {
		return cfg, fmt.Errorf("%s: emulators.auth: %w", path, err)
	}
	rules, err := rulesOf(fj.Firestore)
	if err != nil {
		return cfg, fmt.Errorf("%s: firestore: %w", path, err)
	}
	if rules != "" {
		if !filepath.IsAbs(rules) {
			rules = filepath.Join(filepath.Dir(path), rules)
		}
		cfg.RulesPath = rules
	}
	return cfg, nil
}

// addr returns host:port, filling in the CLI's defaults.
func (e *emulatorJSON) addr(defPort int) (string, error) {
	host, port := defaultHost, defPort
	if e == nil {
		return joinHostPort(host, port), nil
	}
	if e.Host != "" {
		host = e.Host
		if strings.ContainsAny(host, " /") {
			return "", fmt.Errorf("host %q is not a host name or IP address", host)
		}
	}
	if len(e.Port) > 0 && string(e.Port) != "null" {
		raw := strings.Trim(string(e.Port), `"`)
		p, err := strconv.Atoi(raw)
		if err != nil || p < 0 || p > 65535 {
			return "", fmt.Errorf("port %s is not a port number (0-65535)", e.Port)
		}
		port = p
	}
	return joinHostPort(host, port), nil
}

// rulesOf returns the rules path of the (default) database from the
// "firestore" key, which may be an object or an array of objects.
func rulesOf(raw json.RawMessage) (string, error) {
	s := strings.TrimSpace(string(raw))
	switch {
	case s == "" || s == "null":
		return "", nil
	case strings.HasPrefix(s, "["):
		var list []firestoreJSON
		if err := json.Unmarshal(raw, &list); err != nil {
			return "", err
		}
		for _, f := range list {
			if f.Database == "" || f.Database == "(default)" {
				return f.Rules, nil
			}
		}
		return "", errors.New(`no entry for the "(default)" database; only the default database is emulated`)
	default:
		var f firestoreJSON
		if err := json.Unmarshal(raw, &f); err != nil {
			return "", err
		}
		return f.Rules, nil
	}
}

// describeJSONError adds the line and column of a syntax error.
func describeJSONError(b []byte, err error) string {
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return err.Error()
	}
	line, col := 1, 1
	for _, c := range b[:min(int(se.Offset), len(b))] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("%d:%d: %v", line, col, err)
}

func joinHostPort(host string, port int) string {
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		host = "[" + host + "]"
	}
	return host + ":" + strconv.Itoa(port)
}
