package main

// demo.go parses the flags of `roomgate-dev demo`.

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/roomgate/roomgate/internal/devstack"
)

// demo runs the narrated walk-through once.
func demo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	o, verbose, err := parseDemoFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	if verbose {
		o.Log = stderr
	}
	return devstack.RunDemo(ctx, o, stdout)
}

// parseDemoFlags parses args over the defaults the environment implies
// (devstack.DemoDefaults). verbose is -v.
func parseDemoFlags(args []string, getenv func(string) string, stderr io.Writer) (o devstack.DemoOptions, verbose bool, err error) {
	o = devstack.DemoDefaults(getenv)
	fs := flag.NewFlagSet("roomgate-dev demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&o.Embedded, "embedded", false, "use the embedded emulators and an in-process service even when the variables below are set")
	fs.StringVar(&o.FirestoreAddr, "firestore", o.FirestoreAddr, "running Firestore emulator host:port (default $FIRESTORE_EMULATOR_HOST)")
	fs.StringVar(&o.AuthAddr, "auth", o.AuthAddr, "running Auth emulator host:port (default $FIREBASE_AUTH_EMULATOR_HOST)")
	fs.StringVar(&o.ServiceURL, "url", o.ServiceURL, "running roomgate service base URL (default $ROOMGATE_URL)")
	fs.StringVar(&o.ProjectID, "project", o.ProjectID, "project of the running emulators (default $GCLOUD_PROJECT, $GOOGLE_CLOUD_PROJECT, else "+devstack.DefaultProjectID+")")
	fs.StringVar(&o.RulesPath, "rules", "", "rules for the embedded emulator (default: as for roomgate-dev)")
	fs.DurationVar(&o.StepTimeout, "timeout", o.StepTimeout, "how long to wait for each real-time event before failing")
	fs.BoolVar(&verbose, "v", false, "show the embedded service's and emulators' logs on stderr")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `usage: roomgate-dev demo [flags]

Runs the whole roomgate flow and narrates it. By default it starts the
embedded Firestore and Auth emulators (with firestore.rules) and the service
in-process. With FIRESTORE_EMULATOR_HOST, FIREBASE_AUTH_EMULATOR_HOST and
ROOMGATE_URL all set (as 'roomgate-dev' prints them), or --firestore, --auth
and --url, it uses those running emulators and service instead. Exits
non-zero if any step does not behave as expected.

flags:`)
		fs.PrintDefaults()
	}
	return o, verbose, parse(fs, args)
}
