package main

// dev.go is `roomgate dev`: the whole stack on a fresh machine with nothing
// configured. It starts the embedded Firestore and Auth emulators with the
// repository's firestore.rules, runs the service against them, signs up and
// admits two demo users, creates a room, and prints everything needed to
// try the API with curl.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/roomgate/roomgate/emulator/embedded"
)

func init() {
	register(command{
		name:    "dev",
		summary: "local emulators + service + two demo users, with curl commands to try (Ctrl-C stops)",
		run: func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
			opts, err := parseDevFlags(args, stderr)
			if err != nil {
				return err
			}
			opts.Log = stderr
			return runDev(ctx, opts, stdout)
		},
	})
}

// devOptions configures runDev.
type devOptions struct {
	// Addr is the service's listen address.
	Addr string
	// RulesPath and ConfigPath override the search for firestore.rules
	// and firebase.json upwards from Dir ("" = the working directory).
	RulesPath, ConfigPath, Dir string
	// FreePorts ignores the emulator ports of firebase.json.
	FreePorts bool
	// ProjectID must start with "demo-" (the service refuses emulators
	// for any other project).
	ProjectID string
	// Log receives the service's and the emulators' logs (nil: dropped).
	Log io.Writer
}

// devPassword is the demo users' password: they exist only in an
// in-memory emulator that dies with the process.
const devPassword = "roomgate-dev"

func parseDevFlags(args []string, stderr io.Writer) (devOptions, error) {
	var o devOptions
	fs := flag.NewFlagSet("roomgate dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:8088", "service listen address")
	fs.StringVar(&o.RulesPath, "rules", "", "Firestore rules file (default: from firebase.json, else firestore.rules in this or a parent directory)")
	fs.StringVar(&o.ConfigPath, "config", "", "firebase.json with the emulator ports (default: searched in this and parent directories)")
	fs.BoolVar(&o.FreePorts, "free-ports", false, "start the emulators on free ports instead of the ports in firebase.json")
	fs.StringVar(&o.ProjectID, "project", embedded.DefaultProjectID, "project ID; must start with demo-")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: roomgate dev [flags]\n\nStarts the embedded Firestore and Auth emulators, the service, and two admitted demo\nusers, then prints curl commands to try the API. Runs until Ctrl-C.\nROOMGATE_* variables (rate limits, log level...) still apply.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return o, nil
}

// devSession is what runDev set up and prints.
type devSession struct {
	emu        *embedded.Emulators
	svc        *localService
	lp         localProject
	alice, bob *demoUser
	roomID     string
}

// runDev runs `roomgate dev` until ctx is cancelled, printing the setup to
// stdout once everything is ready, then shuts down cleanly: the service
// finishes in-flight requests, then the emulators stop.
func runDev(ctx context.Context, o devOptions, stdout io.Writer) (err error) {
	if o.ProjectID == "" {
		o.ProjectID = embedded.DefaultProjectID
	}
	if !embedded.IsDemoProject(o.ProjectID) {
		return fmt.Errorf("project %q does not start with demo-: dev runs only against emulators, for demo projects", o.ProjectID)
	}
	logOut := o.Log
	if logOut == nil {
		logOut = io.Discard
	}
	dir := o.Dir
	if dir == "" {
		if dir, err = os.Getwd(); err != nil {
			return err
		}
	}
	lp, err := locateProject(dir, o.RulesPath, o.ConfigPath)
	if err != nil {
		return err
	}
	logf := func(format string, args ...any) { fmt.Fprintf(logOut, "emulator: "+format+"\n", args...) }
	emu, err := startEmulators(lp, o.ProjectID, o.FreePorts, logf, logOut)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, emu.Close()) }()
	svc, err := startService(emu, o.Addr, logOut)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, svc.Stop()) }()

	s := &devSession{emu: emu, svc: svc, lp: lp}
	setupCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := s.setUp(setupCtx); err != nil {
		return err
	}
	s.print(stdout)
	<-ctx.Done()
	fmt.Fprintln(stdout, "\nroomgate dev: stopping (the service finishes in-flight requests, then the emulators stop)")
	return nil
}

// setUp signs up and admits alice and bob and has alice create a room
// with bob, all through the public interfaces a client uses.
func (s *devSession) setUp(ctx context.Context) error {
	auth := newAuthClient(s.emu.AuthAddr)
	api := newAPIClient(s.svc.URL)
	s.alice = &demoUser{Name: "alice", Email: "alice@example.com", Password: devPassword}
	s.bob = &demoUser{Name: "bob", Email: "bob@example.com", Password: devPassword}
	for _, u := range []*demoUser{s.alice, s.bob} {
		if err := auth.signUp(ctx, u); err != nil {
			return err
		}
		if _, err := admit(ctx, api, auth, u); err != nil {
			return err
		}
	}
	var room roomResponse
	body := map[string]any{"members": []string{s.bob.UID}, "title": "alice and bob", "kind": "group"}
	if _, err := api.call(ctx, http.MethodPost, "/v1/rooms", s.alice.IDToken, body, &room); err != nil {
		return fmt.Errorf("create the demo room: %w", err)
	}
	s.roomID = room.ID
	return nil
}

// devCommand is one printed curl command.
type devCommand struct {
	Comment string
	Curl    string
}

// commands returns the curl commands to try. They use the exported shell
// variables for the URL, tokens and the room; uids inside JSON bodies are
// literal (uids are alphanumeric, safe inside single quotes).
func (s *devSession) commands() []devCommand {
	const (
		alice = `-H "Authorization: Bearer $ALICE_TOKEN"`
		bob   = `-H "Authorization: Bearer $BOB_TOKEN"`
		jsonH = `-H 'Content-Type: application/json'`
	)
	return []devCommand{
		{"liveness and readiness (no token needed)", `curl -sS "$ROOMGATE_URL/healthz"`},
		{"", `curl -sS "$ROOMGATE_URL/readyz"`},
		{"the OpenAPI document of the API", `curl -sS "$ROOMGATE_URL/openapi.json"`},
		{"alice creates a room with bob (she becomes its owner)",
			`curl -sS -X POST "$ROOMGATE_URL/v1/rooms" ` + alice + ` ` + jsonH +
				` -d '{"members":["` + s.bob.UID + `"],"title":"Weekend plans","kind":"group"}'`},
		{"alice lists her rooms, newest first", `curl -sS "$ROOMGATE_URL/v1/rooms" ` + alice},
		{"bob reads the room and its members", `curl -sS "$ROOMGATE_URL/v1/rooms/$ROOM_ID" ` + bob},
		{"alice (owner) removes bob", `curl -sS -X DELETE "$ROOMGATE_URL/v1/rooms/$ROOM_ID/members/$BOB_UID" ` + alice},
		{"alice adds bob back",
			`curl -sS -X POST "$ROOMGATE_URL/v1/rooms/$ROOM_ID/members" ` + alice + ` ` + jsonH +
				` -d '{"members":["` + s.bob.UID + `"]}'`},
	}
}

// print writes the addresses, the variables to export, the users and the
// commands. Tokens are printed on purpose: they are unsigned tokens of an
// in-memory Auth emulator for a demo- project, worthless anywhere else.
func (s *devSession) print(w io.Writer) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	p("roomgate dev: ready (project %s)", s.emu.ProjectID)
	p("")
	p("  Firestore emulator  %s   (rules: %s)", s.emu.FirestoreAddr, s.lp.RulesPath)
	p("  Auth emulator       %s", s.emu.AuthAddr)
	p("  roomgate service    %s", s.svc.URL)
	p("")
	p("# Paste into a shell: the emulator variables (for SDKs, tests, `roomgate demo`) and the demo session.")
	for _, kv := range s.emu.Env() {
		p("export %s", kv)
	}
	p("export ROOMGATE_URL=%s", s.svc.URL)
	p("export ALICE_UID=%s", s.alice.UID)
	p("export ALICE_TOKEN=%s", s.alice.IDToken)
	p("export BOB_UID=%s", s.bob.UID)
	p("export BOB_TOKEN=%s", s.bob.IDToken)
	p("export ROOM_ID=%s", s.roomID)
	p("")
	p("# Demo users (admitted: their ID tokens carry chat=true; tokens expire in 1 hour, restart to renew)")
	p("#   alice  %s  password %s  uid %s", s.alice.Email, s.alice.Password, s.alice.UID)
	p("#   bob    %s    password %s  uid %s", s.bob.Email, s.bob.Password, s.bob.UID)
	p("# ROOM_ID is a room alice created with bob.")
	p("")
	p("# Try the API:")
	for _, c := range s.commands() {
		if c.Comment != "" {
			p("# %s", c.Comment)
		}
		p("%s", c.Curl)
	}
	p("")
	p("# See the whole flow, with direct Firestore access and a live listener: go run ./cmd/roomgate demo")
	p("Press Ctrl-C to stop.")
}

// devReadyLine ends the printed setup; tests wait for it.
const devReadyLine = "Press Ctrl-C to stop."
