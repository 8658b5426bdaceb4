package main

// config.go reads firebase.json with the repository's one reader,
// emulator/firebasejson, so this command and roomgate-dev agree on
// defaults, "localhost", missing ports and errors.

import (
	"errors"
	"io/fs"

	"github.com/roomgate/roomgate/emulator/firebasejson"
)

// config is what the emulator takes from firebase.json.
type config = firebasejson.Config

// defaultHost is the host of --ephemeral-ports when an address cannot be
// split.
const defaultHost = firebasejson.DefaultHost

// loadConfig reads firebase.json at path. When the file does not exist
// and mustExist is false (no --config given), the defaults are returned
// (Path ""); a --config file that does not exist is an error.
func loadConfig(path string, mustExist bool) (config, error) {
	cfg, err := firebasejson.Load(path)
	if errors.Is(err, fs.ErrNotExist) && !mustExist {
		return firebasejson.Defaults(), nil
	}
	return cfg, err
}
