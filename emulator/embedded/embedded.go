// Package embedded starts the roomgate Firestore and Auth emulators
// together, on loopback ports, for Go tests and for the roomgate-emulator
// binary.
//
// Tests use package emulator/emutest, which wraps StartT and adds the
// clients a test needs (a user's Firestore client, the owner's, the Admin
// SDK Auth client).
//
// The environment variables are the ones `firebase emulators:exec` sets, so
// code that finds Google's emulators through them finds these unchanged.
// Export and Import save and load both emulators' data in the layout of
// `firebase emulators:export` (see export.go).
package embedded

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/roomgate/roomgate/emulator/auth"
	"github.com/roomgate/roomgate/emulator/eventarc"
	"github.com/roomgate/roomgate/emulator/fcm"
	"github.com/roomgate/roomgate/emulator/firestore"
	"github.com/roomgate/roomgate/emulator/rules"
)

// DefaultProjectID is the project used when Options.ProjectID is empty. The
// "demo-" prefix tells Firebase tools that no real project exists, so
// nothing can reach production by mistake.
const DefaultProjectID = "demo-roomgate"

// defaultAddr picks a free loopback port.
const defaultAddr = "127.0.0.1:0"

// Options configures Start. The zero value starts both emulators on free
// loopback ports for project demo-roomgate with no rules loaded (which the
// Firestore emulator allows and logs loudly).
type Options struct {
	// ProjectID is the project the emulators serve by default
	// (DefaultProjectID if empty).
	ProjectID string
	// Rules is Firestore rules source to load at start.
	Rules string
	// RulesPath names a rules file read at start; it is used when Rules
	// is empty. Compile errors name this path.
	RulesPath string
	// FirestoreAddr and AuthAddr are the listen addresses
	// ("127.0.0.1:0", a free port, if empty).
	FirestoreAddr, AuthAddr string
	// Logf receives both emulators' log lines; nil keeps each package's
	// default (the standard logger for Firestore, silence for Auth).
	Logf func(format string, args ...any)
	// NoFirestore and NoAuth leave that emulator out, as the CLI's
	// `--only` does; its field in Emulators is then nil, its address
	// empty and its variables absent from Env. Setting both is an error.
	NoFirestore, NoAuth bool
	// ListenDenial is when Firestore removes a listener whose access the
	// rules no longer grant: firestore.ListenDenyImmediately (the zero
	// value: at the commit that took the access away) or
	// firestore.ListenDenyAtNextDelivery (when it next has a change to
	// deliver, as Google's emulator does).
	ListenDenial firestore.ListenDenial
	// FCM also starts a fake FCM v1 endpoint (emulator/fcm); point the
	// Admin SDK's messaging client at Emulators.FCM.Endpoint().
	FCM bool
}

// Emulators is a running Firestore and Auth emulator pair (or one of them,
// if Options.NoFirestore or NoAuth was set).
type Emulators struct {
	// Firestore and Auth are nil for an emulator left out.
	Firestore *firestore.Server
	Auth      *auth.Server
	// FirestoreAddr and AuthAddr are the host:port each listens on
	// (empty for an emulator left out).
	FirestoreAddr, AuthAddr string
	// ProjectID is the project the emulators were started for.
	ProjectID string
	// FCM is the fake FCM endpoint (nil unless Options.FCM) and FCMAddr
	// its host:port.
	FCM     *fcm.Server
	FCMAddr string

	mu         sync.Mutex
	deliverers []*eventarc.Deliverer

	closeOnce sync.Once
	closeErr  error
}

// Start starts both emulators (or the one not left out). On error nothing
// is left running.
func Start(opts Options) (*Emulators, error) {
	project := opts.ProjectID
	if project == "" {
		project = DefaultProjectID
	}
	if err := CheckProjectID(project); err != nil {
		return nil, err
	}
	if opts.NoFirestore && opts.NoAuth {
		return nil, errors.New("embedded: NoFirestore and NoAuth both set: nothing to start")
	}
	if opts.NoFirestore && (opts.Rules != "" || opts.RulesPath != "") {
		return nil, errors.New("embedded: rules given but the Firestore emulator is left out")
	}
	src, name := opts.Rules, "rules"
	if src == "" && opts.RulesPath != "" {
		b, err := os.ReadFile(opts.RulesPath)
		if err != nil {
			return nil, fmt.Errorf("embedded: read rules: %w", err)
		}
		src, name = string(b), opts.RulesPath
	}
	// Compile under the caller's file name first, so errors point at
	// the right file; SetRules compiles again under its own name.
	if src != "" {
		if _, err := rules.Compile(name, []byte(src)); err != nil {
			return nil, fmt.Errorf("embedded: rules do not compile:\n%w", err)
		}
	}

	fsAddr, authAddr := opts.FirestoreAddr, opts.AuthAddr
	if fsAddr == "" {
		fsAddr = defaultAddr
	}
	if authAddr == "" {
		authAddr = defaultAddr
	}
	e := &Emulators{ProjectID: project}
	if !opts.NoFirestore {
		fs, err := firestore.NewServerWithOptions(fsAddr, firestore.ServerOptions{ListenDenial: opts.ListenDenial})
		if err != nil {
			return nil, fmt.Errorf("embedded: start Firestore emulator on %s: %w", fsAddr, err)
		}
		if opts.Logf != nil {
			logf := opts.Logf
			fs.SetLogger(func(format string, args ...any) { logf("firestore: "+format, args...) })
		}
		if src != "" {
			if err := fs.SetRules(src); err != nil {
				fs.Close()
				return nil, fmt.Errorf("embedded: load rules: %w", err)
			}
		}
		e.Firestore, e.FirestoreAddr = fs, fs.Addr()
	}
	if !opts.NoAuth {
		au, err := auth.NewServer(authAddr)
		if err != nil {
			if e.Firestore != nil {
				e.Firestore.Close()
			}
			return nil, fmt.Errorf("embedded: start Auth emulator on %s: %w", authAddr, err)
		}
		if opts.Logf != nil {
			logf := opts.Logf
			au.SetLogger(func(format string, args ...any) { logf("auth: "+format, args...) })
		}
		au.SetDefaultProject(project)
		e.Auth, e.AuthAddr = au, au.Addr()
	}
	if opts.FCM {
		if err := e.startFCM(); err != nil {
			e.Close()
			return nil, fmt.Errorf("embedded: start the fake FCM: %w", err)
		}
	}
	return e, nil
}

// TB is the part of testing.TB that StartT and Setenv use (a *testing.T
// or *testing.B is one). It is declared here so that programs using this
// package do not link package testing.
type TB interface {
	Helper()
	Logf(format string, args ...any)
	Fatal(args ...any)
	Errorf(format string, args ...any)
	Cleanup(func())
	Setenv(key, value string)
}

// StartT starts the emulators for a test: their logs go to t.Logf (unless
// opts.Logf is set), t.Cleanup closes them, and an error fails the test.
// emutest.Start wraps it for tests.
func StartT(t TB, opts Options) *Emulators {
	t.Helper()
	if opts.Logf == nil {
		opts.Logf = t.Logf
	}
	e, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Errorf("embedded: close: %v", err)
		}
	})
	return e
}

// Env returns the variables `firebase emulators:exec` sets for its
// script, as KEY=VALUE: the Go, Node and Java SDKs and
// @firebase/rules-unit-testing find the emulators through them. An
// emulator left out has no variables, as with the CLI's --only.
func (e *Emulators) Env() []string {
	var env []string
	if e.Firestore != nil {
		env = append(env,
			"FIRESTORE_EMULATOR_HOST="+e.FirestoreAddr,
			"FIREBASE_FIRESTORE_EMULATOR_ADDRESS="+e.FirestoreAddr)
	}
	if e.Auth != nil {
		env = append(env, "FIREBASE_AUTH_EMULATOR_HOST="+e.AuthAddr)
	}
	return append(env,
		"GCLOUD_PROJECT="+e.ProjectID,
		"GOOGLE_CLOUD_PROJECT="+e.ProjectID)
}

// Setenv sets Env's variables for the duration of the test (t.Setenv, so
// the test cannot be parallel).
func (e *Emulators) Setenv(t TB) {
	t.Helper()
	for _, kv := range e.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}

// Close stops the emulators, ending open connections and streams, and
// frees their ports. It is safe to call more than once.
func (e *Emulators) Close() error {
	e.closeOnce.Do(func() {
		errs := []error{e.closePush()}
		if e.Firestore != nil {
			errs = append(errs, e.Firestore.Close())
		}
		if e.Auth != nil {
			errs = append(errs, e.Auth.Close())
		}
		e.closeErr = errors.Join(errs...)
	})
	return e.closeErr
}

// IsDemoProject reports whether id is a demo project: one with no real
// Firebase resources, which tools must never send to production.
func IsDemoProject(id string) bool { return strings.HasPrefix(id, "demo-") }

// CheckProjectID rejects IDs that are not shaped like Google Cloud project
// IDs: lowercase letters, digits and hyphens, starting with a letter, at
// most 30 characters. The check keeps odd values out of file names,
// URLs and environment variables.
func CheckProjectID(id string) error {
	bad := id == "" || len(id) > 30 || id[0] < 'a' || id[0] > 'z' || strings.HasSuffix(id, "-")
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			bad = true
		}
	}
	if bad {
		return fmt.Errorf("embedded: invalid project ID %q: use lowercase letters, digits and hyphens, starting with a letter (e.g. demo-roomgate)", id)
	}
	return nil
}
