package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sync"
)

// cmdStart runs the emulators until ctx ends (Ctrl-C), then exports if
// asked and stops them.
func cmdStart(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, rest, err := parseFlags("start", args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0 // the usage has been printed
	}
	if err != nil {
		fmt.Fprintln(stderr, "roomgate-emulator start:", err)
		return 2
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "roomgate-emulator start: unexpected arguments %q\n", rest)
		return 2
	}
	logger := newLogger(stderr)
	e, cfg, err := startEmulators(o, logger)
	if err != nil {
		fmt.Fprintln(stderr, "roomgate-emulator:", err)
		return 1
	}
	defer e.Close()

	rulesNote := "none (every read and write is allowed)"
	if cfg.RulesPath != "" {
		rulesNote = cfg.RulesPath + " (watched; edits reload it)"
	}
	fmt.Fprintf(stdout, "roomgate emulators ready for project %s\n", e.ProjectID)
	if e.Firestore != nil {
		fmt.Fprintf(stdout, "  Firestore  %s\n", e.FirestoreAddr)
	}
	if e.Auth != nil {
		fmt.Fprintf(stdout, "  Auth       %s\n", e.AuthAddr)
	}
	if e.Firestore != nil {
		fmt.Fprintf(stdout, "  rules      %s\n", rulesNote)
	}
	fmt.Fprint(stdout, "\nTo point SDKs and tests at them:\n")
	for _, kv := range e.Env() {
		fmt.Fprintf(stdout, "export %s\n", kv)
	}
	fmt.Fprintln(stdout, "\nPress Ctrl-C to stop.")

	var wg sync.WaitGroup
	if cfg.RulesPath != "" {
		wg.Add(1)
		go func() { defer wg.Done(); watchRules(ctx, e.Firestore, cfg.RulesPath, logger) }()
	}
	<-ctx.Done()
	wg.Wait()
	status := 0
	if err := exportData(e, o, logger); err != nil {
		fmt.Fprintln(stderr, "roomgate-emulator: export failed:", err)
		status = 1
	}
	if err := e.Close(); err != nil {
		fmt.Fprintln(stderr, "roomgate-emulator:", err)
		status = 1
	}
	logger.Printf("stopped")
	return status
}
