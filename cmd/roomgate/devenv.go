package main

// devenv.go is what `roomgate dev` and `roomgate demo` share: finding the
// project's firestore.rules and firebase.json, starting the embedded
// emulators, and running the service in-process against them.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/roomgate/roomgate/emulator/embedded"
	"github.com/roomgate/roomgate/internal/app"
	"github.com/roomgate/roomgate/internal/config"
)

// localProject is where the emulators get their rules and ports from.
type localProject struct {
	// ConfigPath is the firebase.json read, "" if none was found.
	ConfigPath string
	// RulesPath is the Firestore rules file loaded into the emulator.
	RulesPath string
	// FirestoreAddr and AuthAddr are the listen addresses from
	// firebase.json, "" (a free port) when it has none.
	FirestoreAddr, AuthAddr string
}

// findUp looks for name in dir and its parents and returns its path, or
// "" if no ancestor has it.
func findUp(dir, name string) string {
	for {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// locateProject resolves the rules file and emulator ports. rulesFlag and
// configFlag are the --rules and --config flags ("" = search upwards from
// dir, the working directory). Without any rules file it fails: an
// emulator without rules allows every read and write, which would make the
// local setup lie about what clients may do.
func locateProject(dir, rulesFlag, configFlag string) (localProject, error) {
	var lp localProject
	switch {
	case configFlag != "":
		lp.ConfigPath = configFlag
	default:
		lp.ConfigPath = findUp(dir, "firebase.json")
	}
	if lp.ConfigPath != "" {
		fj, err := readFirebaseJSON(lp.ConfigPath)
		if err != nil {
			return lp, err
		}
		lp.FirestoreAddr, lp.AuthAddr = fj.FirestoreAddr, fj.AuthAddr
		if fj.Rules != "" {
			lp.RulesPath = fj.Rules
			if !filepath.IsAbs(lp.RulesPath) {
				lp.RulesPath = filepath.Join(filepath.Dir(lp.ConfigPath), lp.RulesPath)
			}
		}
	}
	if rulesFlag != "" {
		lp.RulesPath = rulesFlag
	}
	if lp.RulesPath == "" {
		lp.RulesPath = findUp(dir, "firestore.rules")
	}
	if lp.RulesPath == "" {
		return lp, errors.New("no firestore.rules found here or in a parent directory: run from the roomgate checkout or pass --rules FILE")
	}
	if _, err := os.Stat(lp.RulesPath); err != nil {
		return lp, fmt.Errorf("rules file: %w", err)
	}
	return lp, nil
}

// firebaseConfig is the part of firebase.json the local stack uses.
type firebaseConfig struct {
	Rules                   string
	FirestoreAddr, AuthAddr string
}

// readFirebaseJSON reads the rules path of the default database and the
// Firestore and Auth emulator addresses. Keys of other products are
// ignored, as the Firebase CLI ignores them.
func readFirebaseJSON(path string) (firebaseConfig, error) {
	var out firebaseConfig
	b, err := os.ReadFile(path)
	if err != nil {
		return out, err
	}
	var raw struct {
		Firestore json.RawMessage `json:"firestore"`
		// emulators also holds non-objects ("singleProjectMode": true).
		Emulators map[string]json.RawMessage `json:"emulators"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return out, fmt.Errorf("%s: %w", path, err)
	}
	// "firestore" is an object, or an array of them (one per database).
	if s := strings.TrimSpace(string(raw.Firestore)); strings.HasPrefix(s, "[") {
		var list []struct{ Database, Rules string }
		if err := json.Unmarshal(raw.Firestore, &list); err != nil {
			return out, fmt.Errorf("%s: firestore: %w", path, err)
		}
		for _, f := range list {
			if f.Database == "" || f.Database == "(default)" {
				out.Rules = f.Rules
			}
		}
	} else if s != "" && s != "null" {
		var f struct{ Rules string }
		if err := json.Unmarshal(raw.Firestore, &f); err != nil {
			return out, fmt.Errorf("%s: firestore: %w", path, err)
		}
		out.Rules = f.Rules
	}
	addr := func(name string) (string, error) {
		var e struct {
			Host string          `json:"host"`
			Port json.RawMessage `json:"port"`
		}
		if b, ok := raw.Emulators[name]; ok {
			if err := json.Unmarshal(b, &e); err != nil {
				return "", fmt.Errorf("%s: emulators.%s: %w", path, name, err)
			}
		}
		if len(e.Port) == 0 || string(e.Port) == "null" {
			return "", nil
		}
		port, err := strconv.Atoi(strings.Trim(string(e.Port), `"`))
		if err != nil || port < 0 || port > 65535 {
			return "", fmt.Errorf("%s: emulators.%s.port %s is not a port number", path, name, e.Port)
		}
		host := e.Host
		if host == "" || host == "localhost" {
			// The CLI's "localhost"; 127.0.0.1 is the same on every
			// machine whatever localhost resolves to first.
			host = "127.0.0.1"
		}
		return net.JoinHostPort(host, strconv.Itoa(port)), nil
	}
	if out.FirestoreAddr, err = addr("firestore"); err != nil {
		return out, err
	}
	if out.AuthAddr, err = addr("auth"); err != nil {
		return out, err
	}
	return out, nil
}

// startEmulators starts the embedded Firestore and Auth emulators with
// lp's rules. When a port from firebase.json is taken (another emulator
// is running, say), it falls back to free ports and says so on notes:
// the addresses printed afterwards are the ones to use.
func startEmulators(lp localProject, project string, freePorts bool, logf func(string, ...any), notes io.Writer) (*embedded.Emulators, error) {
	opts := embedded.Options{ProjectID: project, RulesPath: lp.RulesPath, Logf: logf}
	if !freePorts {
		opts.FirestoreAddr, opts.AuthAddr = lp.FirestoreAddr, lp.AuthAddr
	}
	emu, err := embedded.Start(opts)
	if err != nil && errors.Is(err, syscall.EADDRINUSE) && (opts.FirestoreAddr != "" || opts.AuthAddr != "") {
		fmt.Fprintf(notes, "note: a port from %s is in use (%v); using free ports instead\n", lp.ConfigPath, err)
		opts.FirestoreAddr, opts.AuthAddr = "", ""
		emu, err = embedded.Start(opts)
	}
	return emu, err
}

// envMu serialises changes of the process environment made here.
var envMu sync.Mutex

// withEnv runs fn with the variables kv set in the process environment and
// restores the previous values afterwards. The Admin SDK's Auth client and
// the Firestore client read FIRESTORE_EMULATOR_HOST and
// FIREBASE_AUTH_EMULATOR_HOST once, when they are created; restoring the
// environment afterwards keeps the user clients of the demo (which
// authenticate as users, not as the emulator's owner) unaffected and leaves
// the environment of a test process as it was.
//
// Why not a seam instead: Firestore could take option.WithEndpoint, but the
// Admin SDK (firebase.google.com/go/v4 v4.19.0, auth.NewClient) reads
// FIREBASE_AUTH_EMULATOR_HOST only from os.Getenv, with no Config field or
// client option for it, and that variable is also what switches its token
// verifier to the emulator's unsigned tokens; so the variable has to be in
// the environment while the Auth client is created. app.Clients runs
// config.CheckEmulatorSafety on these very variables, so the demo- project
// check still applies.
func withEnv(kv []string, fn func() error) error {
	envMu.Lock()
	defer envMu.Unlock()
	type old struct {
		val string
		set bool
	}
	saved := map[string]old{}
	for _, e := range kv {
		k, v, _ := strings.Cut(e, "=")
		if _, done := saved[k]; !done {
			val, set := os.LookupEnv(k)
			saved[k] = old{val, set}
		}
		os.Setenv(k, v)
	}
	defer func() {
		for k, o := range saved {
			if o.set {
				os.Setenv(k, o.val)
			} else {
				os.Unsetenv(k)
			}
		}
	}()
	return fn()
}

// localService is the roomgate service running in-process against the
// embedded emulators.
type localService struct {
	Svc *app.Service
	// URL is the service's base URL, http://host:port.
	URL string

	cancel context.CancelFunc
	done   chan error
}

// startService builds the service for the emulators in emu, listens on
// addr and serves in the background until stop. Every ROOMGATE_*
// variable still applies (rate limits, log level...), except the project,
// the address and the emulator hosts, which point at emu.
func startService(emu *embedded.Emulators, addr string, logOut io.Writer) (*localService, error) {
	overlay := map[string]string{
		config.EnvPrefix + "PROJECT_ID": emu.ProjectID,
		config.EnvPrefix + "ADDR":       addr,
		"FIRESTORE_EMULATOR_HOST":       emu.FirestoreAddr,
		"FIREBASE_AUTH_EMULATOR_HOST":   emu.AuthAddr,
	}
	if os.Getenv(config.EnvPrefix+"LOG_FORMAT") == "" {
		overlay[config.EnvPrefix+"LOG_FORMAT"] = "text"
	}
	getenv := func(k string) string {
		if v, ok := overlay[k]; ok {
			return v
		}
		return os.Getenv(k)
	}
	cfg, err := config.Load(nil, getenv, io.Discard)
	if err != nil {
		return nil, err
	}
	log := app.NewLogger(cfg, logOut)
	var svc *app.Service
	err = withEnv(emu.Env(), func() error {
		var err error
		svc, err = app.Build(context.Background(), cfg, log)
		return err
	})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		svc.Close()
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("service: %s is in use (another roomgate dev?); pass --addr 127.0.0.1:0 for a free port: %w", cfg.Addr, err)
		}
		return nil, fmt.Errorf("service: listen on %s: %w", cfg.Addr, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ls := &localService{Svc: svc, URL: "http://" + ln.Addr().String(), cancel: cancel, done: make(chan error, 1)}
	srv := app.NewHTTPServer(cfg, svc.Handler, log)
	go func() { ls.done <- app.Serve(ctx, srv, ln, cfg.ShutdownTimeout) }()
	return ls, nil
}

// Stop shuts the server down gracefully (in-flight requests finish) and
// closes the service's clients.
func (ls *localService) Stop() error {
	ls.cancel()
	err := <-ls.done
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return errors.Join(err, ls.Svc.Close())
}
