package app_test

import (
	"context"
	"errors"
	"testing"

	"github.com/roomgate/roomgate/internal/app"
	"github.com/roomgate/roomgate/internal/config"
)

// TestBuildRefusesEmulatorsTheConfigDidNotSee: the clients follow the
// process environment, so Build must refuse emulator mode for a real
// project even when the Config's own copies of the variables are empty.
func TestBuildRefusesEmulatorsTheConfigDidNotSee(t *testing.T) {
	for _, v := range []string{"FIREBASE_AUTH_EMULATOR_HOST", "FIRESTORE_EMULATOR_HOST"} {
		t.Run(v, func(t *testing.T) {
			t.Setenv("FIRESTORE_EMULATOR_HOST", "127.0.0.1:1")
			t.Setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:1")
			t.Setenv(otherVar(v), "") // only v is set
			cfg := config.Default()
			cfg.ProjectID = "my-prod"
			svc, err := app.Build(context.Background(), cfg, nil)
			if err == nil {
				svc.Close()
			}
			if !errors.Is(err, config.ErrUnsafeEmulator) {
				t.Fatalf("Build = %v, want the emulator refusal", err)
			}
		})
	}
}

func otherVar(v string) string {
	if v == "FIRESTORE_EMULATOR_HOST" {
		return "FIREBASE_AUTH_EMULATOR_HOST"
	}
	return "FIRESTORE_EMULATOR_HOST"
}
