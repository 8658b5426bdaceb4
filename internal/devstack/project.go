package devstack

// project.go finds the project's firestore.rules and firebase.json.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/roomgate/roomgate/emulator/firebasejson"
)

// localProject is where the emulators get their rules and ports from.
type localProject struct {
	// ConfigPath is the firebase.json read, "" if none was found.
	ConfigPath string
	// RulesPath is the Firestore rules file loaded into the emulator.
	RulesPath string
	// FirestoreAddr and AuthAddr are the listen addresses: firebase.json's,
	// with firebasejson's defaults for what it leaves out or when there
	// is no firebase.json (the same defaults as roomgate-emulator's).
	FirestoreAddr, AuthAddr string
}

// findUp looks for name in dir and its parents and returns its path, or
// "" if no ancestor has it.
func findUp(dir, name string) string {
	for {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// locateProject resolves the rules file and emulator ports. rulesFlag and
// configFlag are the --rules and --config flags ("" = search upwards from
// dir, the working directory). Without any rules file it fails: an
// emulator without rules allows every read and write, which would make the
// local setup lie about what clients may do.
func locateProject(dir, rulesFlag, configFlag string) (localProject, error) {
	var lp localProject
	cfg := firebasejson.Defaults()
	lp.ConfigPath = configFlag
	if lp.ConfigPath == "" {
		lp.ConfigPath = findUp(dir, "firebase.json")
	}
	if lp.ConfigPath != "" {
		var err error
		if cfg, err = firebasejson.Load(lp.ConfigPath); err != nil {
			return lp, err
		}
	}
	lp.FirestoreAddr, lp.AuthAddr, lp.RulesPath = cfg.FirestoreAddr, cfg.AuthAddr, cfg.RulesPath
	if rulesFlag != "" {
		lp.RulesPath = rulesFlag
	}
	if lp.RulesPath == "" {
		lp.RulesPath = findUp(dir, "firestore.rules")
	}
	if lp.RulesPath == "" {
		return lp, errors.New("no firestore.rules found here or in a parent directory: run from the roomgate checkout or pass --rules FILE")
	}
	if _, err := os.Stat(lp.RulesPath); err != nil {
		return lp, fmt.Errorf("rules file: %w", err)
	}
	return lp, nil
}
