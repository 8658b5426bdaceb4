package main

// dev.go parses the flags of `roomgate-dev` (the local stack).

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/roomgate/roomgate/internal/devstack"
)

// dev runs the local stack until ctx ends.
func dev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseDevFlags(args, stderr)
	if err != nil {
		return err
	}
	o.Log = stderr
	return devstack.RunDev(ctx, o, stdout)
}

func parseDevFlags(args []string, stderr io.Writer) (devstack.DevOptions, error) {
	var o devstack.DevOptions
	fs := flag.NewFlagSet("roomgate-dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:8088", "service listen address")
	fs.StringVar(&o.RulesPath, "rules", "", "Firestore rules file (default: from firebase.json, else firestore.rules in this or a parent directory)")
	fs.StringVar(&o.ConfigPath, "config", "", "firebase.json with the emulator ports (default: searched in this and parent directories)")
	fs.BoolVar(&o.FreePorts, "free-ports", false, "start the emulators on free ports instead of the ports in firebase.json")
	fs.StringVar(&o.ProjectID, "project", devstack.DefaultProjectID, "project ID; must start with demo-")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: roomgate-dev [flags]\n\nStarts the embedded Firestore and Auth emulators, the service, and two admitted demo\nusers, then prints curl commands to try the API. Runs until Ctrl-C.\nROOMGATE_* variables (rate limits, log level...) still apply.\n'roomgate-dev demo -h' describes the narrated demo.\n\nflags:")
		fs.PrintDefaults()
	}
	return o, parse(fs, args)
}
