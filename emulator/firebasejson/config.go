package firebasejson

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
)

// The defaults for a missing emulator entry, host or port: the Firebase
// CLI's ports, on the IPv4 loopback address.
const (
	DefaultHost          = "127.0.0.1"
	DefaultFirestorePort = 8080
	DefaultAuthPort      = 9099
)

// Config is what roomgate takes from firebase.json.
type Config struct {
	// Path is the file read; "" for Defaults.
	Path string
	// FirestoreAddr and AuthAddr are the emulators' listen addresses,
	// host:port. Port 0 means a free port.
	FirestoreAddr, AuthAddr string
	// RulesPath is the rules file of the default database, resolved
	// against the directory of Path; "" when none is configured.
	RulesPath string
}

// Defaults is the configuration without a firebase.json.
func Defaults() Config {
	return Config{
		FirestoreAddr: net.JoinHostPort(DefaultHost, strconv.Itoa(DefaultFirestorePort)),
		AuthAddr:      net.JoinHostPort(DefaultHost, strconv.Itoa(DefaultAuthPort)),
	}
}

// Load reads and parses the firebase.json at path. A file that does not
// exist is an error that matches fs.ErrNotExist; callers that may run
// without the file use Defaults then.
func Load(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, err
	}
	return Parse(path, b)
}

// Parse parses data, the contents of the firebase.json at path. path
// names the file in errors and anchors a relative rules path; it is not
// read.
func Parse(path string, data []byte) (Config, error) {
	cfg := Defaults()
	cfg.Path = path
	f, err := decode(data)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	if cfg.FirestoreAddr, err = f.Emulators.Firestore.addr(DefaultFirestorePort); err != nil {
		return Config{}, fmt.Errorf("%s: emulators.firestore: %w", path, err)
	}
	if cfg.AuthAddr, err = f.Emulators.Auth.addr(DefaultAuthPort); err != nil {
		return Config{}, fmt.Errorf("%s: emulators.auth: %w", path, err)
	}
	if f.Rules != "" {
		cfg.RulesPath = f.Rules
		if !filepath.IsAbs(cfg.RulesPath) {
			cfg.RulesPath = filepath.Join(filepath.Dir(path), cfg.RulesPath)
		}
	}
	return cfg, nil
}

// errNoDefaultDatabase is returned for a "firestore" array without an
// entry for the default database.
var errNoDefaultDatabase = errors.New(`firestore: no entry for the "(default)" database; only the default database is emulated`)
