package devstack

// emulators.go starts the embedded emulators for the local stack.

import (
	"errors"
	"fmt"
	"io"
	"syscall"

	"github.com/roomgate/roomgate/emulator/embedded"
)

// DefaultProjectID is the project the local stack runs as by default.
const DefaultProjectID = embedded.DefaultProjectID

// startEmulators starts the embedded Firestore and Auth emulators with
// lp's rules, on lp's addresses unless freePorts. When one of those ports
// is taken (another emulator is running, say), it falls back to free ports
// and says so on notes: the addresses printed afterwards are the ones to
// use.
func startEmulators(lp localProject, project string, freePorts bool, logf func(string, ...any), notes io.Writer) (*embedded.Emulators, error) {
	opts := embedded.Options{ProjectID: project, RulesPath: lp.RulesPath, Logf: logf, FCM: true}
	if !freePorts {
		opts.FirestoreAddr, opts.AuthAddr = lp.FirestoreAddr, lp.AuthAddr
	}
	emu, err := embedded.Start(opts)
	if err != nil && errors.Is(err, syscall.EADDRINUSE) && (opts.FirestoreAddr != "" || opts.AuthAddr != "") {
		from := lp.ConfigPath
		if from == "" {
			from = "the defaults"
		}
		fmt.Fprintf(notes, "note: a port from %s is in use (%v); using free ports instead\n", from, err)
		opts.FirestoreAddr, opts.AuthAddr = "", ""
		emu, err = embedded.Start(opts)
	}
	return emu, err
}
