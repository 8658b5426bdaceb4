package devstack

// dev.go is `roomgate-dev`: the whole stack on a fresh machine with nothing
// configured. It starts the embedded Firestore and Auth emulators with the
// repository's firestore.rules, runs the service against them, signs up and
// admits two demo users, creates a room, and prints everything needed to
// try the API with curl.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/roomgate/roomgate/emulator/embedded"
)

// DevOptions configures RunDev.
type DevOptions struct {
	// Addr is the service's listen address.
	Addr string
	// RulesPath and ConfigPath override the search for firestore.rules
	// and firebase.json upwards from Dir ("" = the working directory).
	RulesPath, ConfigPath, Dir string
	// FreePorts ignores the emulator ports of firebase.json (or the
	// defaults, 8080 and 9099) and uses free ports.
	FreePorts bool
	// ProjectID must start with "demo-" (the service refuses emulators
	// for any other project).
	ProjectID string
	// Log receives the service's and the emulators' logs (nil: dropped).
	Log io.Writer
}

// devSession is what RunDev set up and prints.
type devSession struct {
	emu        *embedded.Emulators
	svc        *localService
	lp         localProject
	alice, bob *demoUser
	roomID     string
}

// RunDev runs the local stack until ctx is cancelled, printing the setup to
// stdout once everything is ready, then shuts down cleanly: the service
// finishes in-flight requests, then the emulators stop.
func RunDev(ctx context.Context, o DevOptions, stdout io.Writer) (err error) {
	if o.ProjectID == "" {
		o.ProjectID = DefaultProjectID
	}
	if !embedded.IsDemoProject(o.ProjectID) {
		return fmt.Errorf("project %q does not start with demo-: roomgate-dev runs only against emulators, for demo projects", o.ProjectID)
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
	if err := deliverMessageEvents(emu, svc.URL, logf); err != nil {
		return err
	}

	s := &devSession{emu: emu, svc: svc, lp: lp}
	setupCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := s.setUp(setupCtx); err != nil {
		return err
	}
	s.print(stdout)
	<-ctx.Done()
	fmt.Fprintln(stdout, "\nroomgate-dev: stopping (the service finishes in-flight requests, then the emulators stop)")
	return nil
}

// devPassword is the demo users' password: they exist only in an
// in-memory emulator that dies with the process.
const devPassword = "roomgate-dev"

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
