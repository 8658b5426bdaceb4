package main

// moved.go keeps `roomgate dev` and `roomgate demo` as stubs that say
// where the developer stack went: it is the separate binary
// cmd/roomgate-dev, so this production binary links no emulator. Old
// instructions fail clearly, with exit status 2.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// errMoved is returned by the stubs; run exits 2 on it.
var errMoved = errors.New("moved to roomgate-dev")

func init() {
	for _, m := range []struct{ name, replacement string }{
		{"dev", "go run ./cmd/roomgate-dev"},
		{"demo", "go run ./cmd/roomgate-dev demo"},
	} {
		register(command{
			name:   m.name,
			hidden: true,
			run: func(_ context.Context, args []string, _, stderr io.Writer) error {
				line := m.replacement
				if len(args) > 0 {
					line += " " + strings.Join(args, " ")
				}
				fmt.Fprintf(stderr, "roomgate %s has moved out of the production binary; run:\n  %s\n", m.name, line)
				return errMoved
			},
		})
	}
}
