// Command roomgate-dev is roomgate's developer stack, kept out of the
// production binary (cmd/roomgate):
//
//	roomgate-dev [flags]        local emulators + service + two admitted demo users (Ctrl-C stops)
//	roomgate-dev demo [flags]   narrated end-to-end walk-through; exits non-zero if a step misbehaves
//	roomgate-dev help           this list
//
// The work is done by internal/devstack; this command parses the flags.
// Exit status: 0 on success (and for -h), 1 when the stack or a demo step
// fails, 2 for a usage error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

const usage = `usage:
  roomgate-dev [flags]        local emulators + service + two admitted demo users, with curl commands (Ctrl-C stops)
  roomgate-dev demo [flags]   narrated walk-through: sign-in, room, direct Firestore, live message,
                              outsider denied, removal cuts the listener
run 'roomgate-dev -h' or 'roomgate-dev demo -h' for the flags
`

// errUsage marks a command line that could not be parsed (the flag set
// has printed why).
var errUsage = errors.New("usage error")

// run executes args with the environment getenv and returns the exit
// status. SIGINT and SIGTERM stop the stack cleanly.
func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	name, err := "roomgate-dev", error(nil)
	switch {
	case len(args) > 0 && args[0] == "help":
		fmt.Fprint(stderr, usage)
		return 0
	case len(args) > 0 && args[0] == "demo":
		name = "roomgate-dev demo"
		err = demo(ctx, args[1:], getenv, stdout, stderr)
	default:
		err = dev(ctx, args, stdout, stderr)
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0 // -h: the flag set has printed the usage
	case errors.Is(err, errUsage):
		return 2
	}
	fmt.Fprintf(stderr, "%s: %v\n", name, err)
	return 1
}

// parse parses args with fs and refuses positional arguments.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected arguments %q\n", fs.Name(), fs.Args())
		fs.Usage()
		return errUsage
	}
	return nil
}
