package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/roomgate/roomgate/emulator/embedded"
)

// cmdExec is `firebase emulators:exec`: start the emulators, run the
// command with the emulator variables in its environment, export if asked,
// stop, and exit with the command's status.
func cmdExec(ctx context.Context, args, env []string, stdout, stderr io.Writer) int {
	o, command, err := parseFlags("exec", args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0 // the usage has been printed
	}
	if err != nil {
		fmt.Fprintln(stderr, "roomgate-emulator exec:", err)
		return 2
	}
	if len(command) == 0 {
		fmt.Fprint(stderr, "usage: roomgate-emulator exec [flags] -- COMMAND [ARG...]\n")
		return 2
	}
	logger := newLogger(stderr)
	e, cfg, err := startEmulators(o, logger)
	if err != nil {
		fmt.Fprintln(stderr, "roomgate-emulator:", err)
		return 1
	}
	defer e.Close()
	logger.Printf("Firestore on %s, Auth on %s, project %s; running %q", nonEmpty(e.FirestoreAddr, "(not started)"), nonEmpty(e.AuthAddr, "(not started)"), e.ProjectID, command)

	// The rules file is watched while the command runs, as the CLI does,
	// so a long-running command (a dev server) sees edits.
	watchCtx, stopWatch := context.WithCancel(ctx)
	var wg sync.WaitGroup
	if cfg.RulesPath != "" {
		wg.Add(1)
		go func() { defer wg.Done(); watchRules(watchCtx, e.Firestore, cfg.RulesPath, logger) }()
	}
	status := runCommand(ctx, command, childEnv(env, e), stdout, stderr)
	stopWatch()
	wg.Wait()

	if err := exportData(e, o, logger); err != nil {
		fmt.Fprintln(stderr, "roomgate-emulator: export failed:", err)
		if status == 0 {
			status = 1
		}
	}
	if err := e.Close(); err != nil {
		fmt.Fprintln(stderr, "roomgate-emulator:", err)
	}
	return status
}

// runCommand runs command and returns its exit status: 127 if it cannot
// be started (as a shell reports), 128+N if signal N killed it. A single
// argument with spaces runs through sh -c, as the CLI runs its script
// string through the shell.
func runCommand(ctx context.Context, command, env []string, stdout, stderr io.Writer) int {
	var cmd *exec.Cmd
	if len(command) == 1 && strings.ContainsAny(command[0], " \t;&|<>$`") {
		cmd = exec.CommandContext(ctx, "sh", "-c", command[0])
	} else {
		cmd = exec.CommandContext(ctx, command[0], command[1:]...)
	}
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
	// On Ctrl-C, ask the command to stop before killing it.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		if c := ee.ExitCode(); c > 0 {
			return c
		}
		return 1
	}
	fmt.Fprintln(stderr, "roomgate-emulator:", err)
	return 127
}

// childEnv is env with the emulator variables set. FIREBASE_EMULATOR_HUB
// is removed: we run no hub, and a hub left over from an outer `firebase
// emulators:exec` would send rules-unit-testing to Google's emulators
// instead of ours. FIREBASE_CONFIG is added if absent, as the CLI does,
// so Admin SDKs find the project.
func childEnv(env []string, e *embedded.Emulators) []string {
	ours := e.Env()
	drop := map[string]bool{"FIREBASE_EMULATOR_HUB": true}
	for _, kv := range ours {
		k, _, _ := strings.Cut(kv, "=")
		drop[k] = true
	}
	out := make([]string, 0, len(env)+len(ours)+1)
	hasConfig := false
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if drop[k] {
			continue
		}
		if k == "FIREBASE_CONFIG" {
			hasConfig = true
		}
		out = append(out, kv)
	}
	out = append(out, ours...)
	if !hasConfig {
		b, _ := json.Marshal(map[string]string{"projectId": e.ProjectID})
		out = append(out, "FIREBASE_CONFIG="+string(b))
	}
	return out
}
