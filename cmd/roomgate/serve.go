package main

import (
	"context"
	"io"
	"os"

	"github.com/roomgate/roomgate/internal/app"
	"github.com/roomgate/roomgate/internal/config"
)

func init() {
	register(command{
		name:    "serve",
		summary: "run the HTTP API (configuration: ROOMGATE_* variables and flags)",
		run: func(ctx context.Context, args []string, _, stderr io.Writer) error {
			cfg, err := config.Load(args, os.Getenv, stderr)
			if err != nil {
				return err
			}
			return app.Run(ctx, cfg, app.NewLogger(cfg, stderr))
		},
	})
}
