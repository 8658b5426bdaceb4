package devstack

// demo.go is `roomgate-dev demo`: a narrated run of the whole flow, with every
// step done for real (Auth emulator REST, the service over HTTP, the Go
// Firestore client as each user) and the numbers at the end measured in
// this run. Its target is the embedded emulator and an in-process service
// (default), or running ones named by the standard variables.

import (
	"context"
	"errors"
	"io"
	"time"
)

// DemoOptions configures RunDemo.
type DemoOptions struct {
	// Embedded forces the embedded emulators and an in-process service,
	// whatever the environment says.
	Embedded bool
	// FirestoreAddr, AuthAddr and ServiceURL name running emulators and a
	// running service (all three, or none for the embedded ones).
	FirestoreAddr, AuthAddr, ServiceURL string
	// ProjectID is the project of the running emulators and service.
	ProjectID string
	// RulesPath and Dir: the rules loaded into the embedded emulator
	// (default: found from Dir, the working directory, as for RunDev).
	RulesPath, Dir string
	// StepTimeout bounds each wait (a delivery, a denial).
	StepTimeout time.Duration
	// Log receives the embedded service's and emulators' logs (nil:
	// dropped).
	Log io.Writer
}

// DemoDefaults returns the options the environment implies: the running
// emulators and service named by FIRESTORE_EMULATOR_HOST,
// FIREBASE_AUTH_EMULATOR_HOST and ROOMGATE_URL (as roomgate-dev prints
// them), the project from GCLOUD_PROJECT or GOOGLE_CLOUD_PROJECT (else
// DefaultProjectID), and a 10-second step timeout. Flags override them.
func DemoDefaults(getenv func(string) string) DemoOptions {
	project := getenv("GCLOUD_PROJECT")
	if project == "" {
		project = getenv("GOOGLE_CLOUD_PROJECT")
	}
	if project == "" {
		project = DefaultProjectID
	}
	return DemoOptions{
		FirestoreAddr: getenv("FIRESTORE_EMULATOR_HOST"),
		AuthAddr:      getenv("FIREBASE_AUTH_EMULATOR_HOST"),
		ServiceURL:    getenv("ROOMGATE_URL"),
		ProjectID:     project,
		StepTimeout:   defaultStepTimeout,
	}
}

// defaultStepTimeout bounds each wait of the demo unless set.
const defaultStepTimeout = 10 * time.Second

// RunDemo runs the walk-through, narrating on w. It returns an error, and
// the command exits non-zero, as soon as any step does not behave as
// the design says it must.
func RunDemo(ctx context.Context, o DemoOptions, w io.Writer) (err error) {
	if o.StepTimeout <= 0 {
		o.StepTimeout = defaultStepTimeout
	}
	n := &narrator{w: w, start: time.Now()}
	tgt, err := resolveTarget(o)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, tgt.close()) }()
	n.say("roomgate-dev demo against %s", tgt.Description)
	n.say("  Firestore %s, Auth %s, service %s, project %s", tgt.FirestoreAddr, tgt.AuthAddr, tgt.ServiceURL, tgt.ProjectID)
	d := &demo{o: o, n: n, tgt: tgt, auth: newAuthClient(tgt.AuthAddr), api: newAPIClient(tgt.ServiceURL)}
	defer d.close()
	if err := d.run(ctx); err != nil {
		n.say("\nFAIL: %v", err)
		return err
	}
	return nil
}
