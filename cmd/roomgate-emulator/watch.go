package main

import (
	"bytes"
	"context"
	"errors"
	"log"
	"os"
	"time"

	"github.com/roomgate/roomgate/emulator/firestore"
	"github.com/roomgate/roomgate/emulator/rules"
)

// rulesPollInterval is how often the rules file is checked. The CLI uses
// a file-system watcher; polling is portable and cheap for one small file.
const rulesPollInterval = 250 * time.Millisecond

// watchRules reloads the rules file into srv whenever its content changes,
// until ctx ends. Rules that do not compile are reported with their
// positions and the previous rules stay in force, so a half-typed edit
// never opens the database.
func watchRules(ctx context.Context, srv *firestore.Server, path string, logger *log.Logger) {
	last, _ := os.ReadFile(path) // the content Start loaded
	missing := false
	t := time.NewTicker(rulesPollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		src, err := readRules(path)
		if err != nil {
			if !missing {
				if errors.Is(err, os.ErrNotExist) {
					logger.Printf("rules file %s is gone; keeping the rules in force", path)
				} else {
					logger.Printf("rules file %s: %v; keeping the rules in force", path, err)
				}
			}
			missing = true
			continue
		}
		missing = false
		if bytes.Equal(src, last) {
			continue
		}
		last = src
		reloadRules(srv, path, src, logger)
	}
}

// reloadRules compiles src under path's name (so errors point at the
// file) and loads it.
func reloadRules(srv *firestore.Server, path string, src []byte, logger *log.Logger) bool {
	if _, err := rules.Compile(path, src); err != nil {
		logger.Printf("rules in %s NOT reloaded, the previous rules stay in force:\n%v", path, err)
		return false
	}
	if err := srv.SetRules(string(src)); err != nil {
		logger.Printf("rules in %s NOT reloaded, the previous rules stay in force:\n%v", path, err)
		return false
	}
	logger.Printf("rules reloaded from %s", path)
	return true
}
