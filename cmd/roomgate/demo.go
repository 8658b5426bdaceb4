package main

// demo.go is `roomgate demo`: a narrated run of the whole flow, with every
// step done for real (Auth emulator REST, the service over HTTP, the Go
// Firestore client as each user) and the numbers at the end measured in
// this run. Its target is the embedded emulator and an in-process service
// (default), or running ones named by the standard variables.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/roomgate/roomgate/emulator/embedded"
)

func init() {
	register(command{
		name:    "demo",
		summary: "narrated walk-through: sign-in, room, direct Firestore, live message, outsider denied, removal cuts the listener",
		run: func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
			o, err := parseDemoFlags(args, os.Getenv, stderr)
			if err != nil {
				return err
			}
			if o.Verbose {
				o.Log = stderr
			}
			return runDemo(ctx, o, stdout)
		},
	})
}

// demoOptions configures runDemo.
type demoOptions struct {
	// Embedded forces the embedded emulators and an in-process service,
	// whatever the environment says.
	Embedded bool
	// FirestoreAddr, AuthAddr and ServiceURL name running emulators and a
	// running service (all three, or none for the embedded ones).
	FirestoreAddr, AuthAddr, ServiceURL string
	// ProjectID is the project of the running emulators and service.
	ProjectID string
	// RulesPath and Dir: the rules loaded into the embedded emulator
	// (default: found from Dir, the working directory, as for dev).
	RulesPath, Dir string
	// StepTimeout bounds each wait (a delivery, a denial).
	StepTimeout time.Duration
	// Verbose sends the embedded service's and emulators' logs to stderr.
	Verbose bool
	// Log receives those logs (nil: dropped).
	Log io.Writer
}

func parseDemoFlags(args []string, getenv func(string) string, stderr io.Writer) (demoOptions, error) {
	var o demoOptions
	fs := flag.NewFlagSet("roomgate demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	project := getenv("GCLOUD_PROJECT")
	if project == "" {
		project = getenv("GOOGLE_CLOUD_PROJECT")
	}
	if project == "" {
		project = embedded.DefaultProjectID
	}
	fs.BoolVar(&o.Embedded, "embedded", false, "use the embedded emulators and an in-process service even when the variables below are set")
	fs.StringVar(&o.FirestoreAddr, "firestore", getenv("FIRESTORE_EMULATOR_HOST"), "running Firestore emulator host:port (default $FIRESTORE_EMULATOR_HOST)")
	fs.StringVar(&o.AuthAddr, "auth", getenv("FIREBASE_AUTH_EMULATOR_HOST"), "running Auth emulator host:port (default $FIREBASE_AUTH_EMULATOR_HOST)")
	fs.StringVar(&o.ServiceURL, "url", getenv("ROOMGATE_URL"), "running roomgate service base URL (default $ROOMGATE_URL)")
	fs.StringVar(&o.ProjectID, "project", project, "project of the running emulators (default $GCLOUD_PROJECT, $GOOGLE_CLOUD_PROJECT, else demo-roomgate)")
	fs.StringVar(&o.RulesPath, "rules", "", "rules for the embedded emulator (default: as for roomgate dev)")
	fs.DurationVar(&o.StepTimeout, "timeout", 10*time.Second, "how long to wait for each real-time event before failing")
	fs.BoolVar(&o.Verbose, "v", false, "show the embedded service's and emulators' logs on stderr")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `usage: roomgate demo [flags]

Runs the whole roomgate flow and narrates it. By default it starts the
embedded Firestore and Auth emulators (with firestore.rules) and the service
in-process. With FIRESTORE_EMULATOR_HOST, FIREBASE_AUTH_EMULATOR_HOST and
ROOMGATE_URL all set (as 'roomgate dev' prints them), or --firestore, --auth
and --url, it uses those running emulators and service instead. Exits
non-zero if any step does not behave as expected.

flags:`)
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

// demoTarget is where the demo runs.
type demoTarget struct {
	FirestoreAddr, AuthAddr, ServiceURL, ProjectID string
	// Description says which target this is, for the narration.
	Description string
	close       func() error
}

// resolveTarget picks the running emulators and service when all three
// are named, the embedded ones when none is (or Embedded is set), and
// refuses a partial set: half-configured, the demo would mix an embedded
// service with someone else's emulator.
func resolveTarget(o demoOptions) (demoTarget, error) {
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
func startDemoStack(o demoOptions) (demoTarget, error) {
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
	emu, err := startEmulators(lp, embedded.DefaultProjectID, true, logf, logOut)
	if err != nil {
		return demoTarget{}, err
	}
	svc, err := startService(emu, "127.0.0.1:0", logOut)
	if err != nil {
		emu.Close()
		return demoTarget{}, err
	}
	return demoTarget{
		FirestoreAddr: emu.FirestoreAddr, AuthAddr: emu.AuthAddr, ServiceURL: svc.URL, ProjectID: emu.ProjectID,
		Description: "the embedded emulators (rules: " + lp.RulesPath + ") and an in-process service",
		close:       func() error { return errors.Join(svc.Stop(), emu.Close()) },
	}, nil
}

// runDemo runs the walk-through, narrating on w. It returns an error, and
// the command exits non-zero, as soon as any step does not behave as
// the design says it must.
func runDemo(ctx context.Context, o demoOptions, w io.Writer) (err error) {
	if o.StepTimeout <= 0 {
		o.StepTimeout = 10 * time.Second
	}
	n := &narrator{w: w, start: time.Now()}
	tgt, err := resolveTarget(o)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, tgt.close()) }()
	n.say("roomgate demo against %s", tgt.Description)
	n.say("  Firestore %s, Auth %s, service %s, project %s", tgt.FirestoreAddr, tgt.AuthAddr, tgt.ServiceURL, tgt.ProjectID)
	d := &demo{o: o, n: n, tgt: tgt, auth: newAuthClient(tgt.AuthAddr), api: newAPIClient(tgt.ServiceURL)}
	defer d.close()
	if err := d.run(ctx); err != nil {
		n.say("\nFAIL: %v", err)
		return err
	}
	return nil
}

// narrator prints the steps as they happen.
type narrator struct {
	w     io.Writer
	start time.Time
	step  int
}

// begin prints a numbered step heading with the time since the start.
func (n *narrator) begin(format string, args ...any) {
	n.step++
	fmt.Fprintf(n.w, "\n[%d] %s  (t=%s)\n", n.step, fmt.Sprintf(format, args...), ms(time.Since(n.start)))
}

// detail prints an indented line under the current step.
func (n *narrator) detail(format string, args ...any) {
	fmt.Fprintf(n.w, "    "+format+"\n", args...)
}

// say prints a line as is.
func (n *narrator) say(format string, args ...any) {
	fmt.Fprintf(n.w, format+"\n", args...)
}

// ms formats d in milliseconds with two decimals: the scale of the
// latencies shown.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}
