package devstack

// demotarget.go picks where the demo runs: running emulators and a running
// service, or the embedded emulators and an in-process service.

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/roomgate/roomgate/emulator/fcm"
)

// demoTarget is where the demo runs.
type demoTarget struct {
	FirestoreAddr, AuthAddr, ServiceURL, ProjectID string
	// Description says which target this is, for the narration.
	Description string
	// FCM is the fake FCM the service sends pushes to, when the demo
	// started it (nil against a running stack, whose pushes it cannot see).
	FCM   *fcm.Server
	close func() error
}

// resolveTarget picks the running emulators and service when all three
// are named, the embedded ones when none is (or Embedded is set), and
// refuses a partial set: half-configured, the demo would mix an embedded
// service with someone else's emulator.
func resolveTarget(o DemoOptions) (demoTarget, error) {
	if o.Embedded {
		return startDemoStack(o)
	}
	named := map[string]string{
		"FIRESTORE_EMULATOR_HOST (--firestore)": o.FirestoreAddr,
		"FIREBASE_AUTH_EMULATOR_HOST (--auth)":  o.AuthAddr,
		"ROOMGATE_URL (--url)":                  o.ServiceURL,
	}
	var missing []string
	for k, v := range named {
		if v == "" {
			missing = append(missing, k)
		}
	}
	switch len(missing) {
	case 3:
		return startDemoStack(o)
	case 0:
		return demoTarget{
			FirestoreAddr: o.FirestoreAddr, AuthAddr: o.AuthAddr,
			ServiceURL: strings.TrimRight(o.ServiceURL, "/"), ProjectID: o.ProjectID,
			Description: "the running emulators and service",
			close:       func() error { return nil },
		}, nil
	default:
		return demoTarget{}, fmt.Errorf("to use running emulators and a running service, also set %s; or pass --embedded",
			strings.Join(slices.Sorted(slices.Values(missing)), " and "))
	}
}

// startDemoStack starts the embedded emulators on free ports and the
// service on a free port.
func startDemoStack(o DemoOptions) (demoTarget, error) {
	logOut := o.Log
	if logOut == nil {
		logOut = io.Discard
	}
	dir := o.Dir
	if dir == "" {
		var err error
		if dir, err = os.Getwd(); err != nil {
			return demoTarget{}, err
		}
	}
	lp, err := locateProject(dir, o.RulesPath, "")
	if err != nil {
		return demoTarget{}, err
	}
	logf := func(format string, args ...any) { fmt.Fprintf(logOut, "emulator: "+format+"\n", args...) }
	emu, err := startEmulators(lp, DefaultProjectID, true, logf, logOut)
	if err != nil {
		return demoTarget{}, err
	}
	svc, err := startService(emu, "127.0.0.1:0", logOut)
	if err != nil {
		emu.Close()
		return demoTarget{}, err
	}
	if err := deliverMessageEvents(emu, svc.URL, logf); err != nil {
		return demoTarget{}, errors.Join(err, svc.Stop(), emu.Close())
	}
	return demoTarget{
		FirestoreAddr: emu.FirestoreAddr, AuthAddr: emu.AuthAddr, ServiceURL: svc.URL, ProjectID: emu.ProjectID,
		Description: "the embedded emulators (rules: " + lp.RulesPath + ") and an in-process service",
		FCM:         emu.FCM,
		close:       func() error { return errors.Join(svc.Stop(), emu.Close()) },
	}, nil
}
