// Command roomgate-emulator runs roomgate's Firestore and Auth emulators
// outside Go tests, as a fast stand-in for the Firebase CLI's
// `firebase emulators:start` and `firebase emulators:exec`.
//
//	roomgate-emulator start [flags]              run until interrupted
//	roomgate-emulator exec [flags] -- CMD ARG... run CMD against fresh emulators
//	roomgate-emulator check FILE...              check rules files
//
// Ports, host and the rules file come from firebase.json (Google's keys,
// so `firebase emulators:start` reads the same file). The rules file is
// watched and reloaded on change. Flags:
//
//	--config FILE            firebase.json to read (default ./firebase.json)
//	--project ID             project ID (default demo-roomgate)
//	--import DIR             load an export at start
//	--export-on-exit [DIR]   export at exit (DIR defaults to --import's)
//	--ephemeral-ports        listen on free ports instead of firebase.json's
//	--only auth,firestore    start only the emulators named (default both)
//	--quiet                  do not print the emulators' log lines
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:], os.Environ(), os.Stdout, os.Stderr))
}

// run executes the command line args with the environment env and returns
// the exit status. SIGINT and SIGTERM stop a running emulator cleanly.
func run(args, env []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runContext(ctx, args, env, stdout, stderr)
}

const usage = `usage:
  roomgate-emulator start [flags]
  roomgate-emulator exec [flags] -- COMMAND [ARG...]
  roomgate-emulator check FILE...
flags of start and exec:
  --config FILE  --project ID  --import DIR  --export-on-exit [DIR]
  --ephemeral-ports  --only auth,firestore  --quiet
`

// runContext is run with a context whose end stops `start` (tests use it
// in place of a signal).
func runContext(ctx context.Context, args, env []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "start":
		return cmdStart(ctx, args[1:], stdout, stderr)
	case "exec":
		return cmdExec(ctx, args[1:], env, stdout, stderr)
	case "check":
		return cmdCheck(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "roomgate-emulator: unknown command %q\n%s", args[0], usage)
		return 2
	}
}
