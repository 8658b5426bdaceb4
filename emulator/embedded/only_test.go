package embedded_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	fbauth "firebase.google.com/go/v4/auth"

	"github.com/roomgate/roomgate/emulator/embedded"
)

// TestLeavingOneEmulatorOut checks NoFirestore and NoAuth (the CLI's
// --only): the emulator left out is not listening, has no variables, and
// export and import handle only the one that runs.
func TestLeavingOneEmulatorOut(t *testing.T) {
	ctx := context.Background()
	t.Run("firestore only", func(t *testing.T) {
		authAddr := freePort(t)
		e := embedded.StartT(t, embedded.Options{NoAuth: true, AuthAddr: authAddr, Rules: testRules})
		if e.Auth != nil || e.AuthAddr != "" {
			t.Errorf("Auth = %v, AuthAddr = %q; want nil, empty", e.Auth, e.AuthAddr)
		}
		if c, err := net.Dial("tcp", authAddr); err == nil {
			c.Close()
			t.Errorf("something listens on the Auth address %s though Auth was left out", authAddr)
		}
		env := strings.Join(e.Env(), "\n")
		if strings.Contains(env, "FIREBASE_AUTH_EMULATOR_HOST") || !strings.Contains(env, "FIRESTORE_EMULATOR_HOST="+e.FirestoreAddr) {
			t.Errorf("Env() =\n%s", env)
		}
		e.Setenv(t)
		if _, err := adminFirestore(t, e.ProjectID).Doc("rooms/r1").Set(ctx, map[string]any{"name": "lobby"}); err != nil {
			t.Fatalf("Set: %v", err)
		}
		dir := t.TempDir()
		if err := e.Export(dir); err != nil {
			t.Fatalf("Export: %v", err)
		}
		if _, err := os.Stat(filepath.Join(dir, "auth_export")); !os.IsNotExist(err) {
			t.Errorf("auth_export written without the Auth emulator: %v", err)
		}
		e2 := embedded.StartT(t, embedded.Options{NoAuth: true})
		if err := e2.Import(dir); err != nil {
			t.Fatalf("Import: %v", err)
		}
		e2.Setenv(t)
		if s, err := adminFirestore(t, e2.ProjectID).Doc("rooms/r1").Get(ctx); err != nil || s.Data()["name"] != "lobby" {
			t.Errorf("after import: %v, %v", s, err)
		}
	})
	t.Run("auth only", func(t *testing.T) {
		fsAddr := freePort(t)
		e := embedded.StartT(t, embedded.Options{NoFirestore: true, FirestoreAddr: fsAddr})
		if e.Firestore != nil || e.FirestoreAddr != "" {
			t.Errorf("Firestore = %v, FirestoreAddr = %q; want nil, empty", e.Firestore, e.FirestoreAddr)
		}
		if c, err := net.Dial("tcp", fsAddr); err == nil {
			c.Close()
			t.Errorf("something listens on the Firestore address %s though Firestore was left out", fsAddr)
		}
		env := strings.Join(e.Env(), "\n")
		if strings.Contains(env, "FIRESTORE") || !strings.Contains(env, "FIREBASE_AUTH_EMULATOR_HOST="+e.AuthAddr) {
			t.Errorf("Env() =\n%s", env)
		}
		e.Setenv(t)
		if _, err := adminAuth(t, e.ProjectID).CreateUser(ctx, (&fbauth.UserToCreate{}).UID("alice")); err != nil {
			t.Fatalf("CreateUser: %v", err)
		}
		dir := t.TempDir()
		if err := e.Export(dir); err != nil {
			t.Fatalf("Export: %v", err)
		}
		if _, err := os.Stat(filepath.Join(dir, "firestore_export")); !os.IsNotExist(err) {
			t.Errorf("firestore_export written without the Firestore emulator: %v", err)
		}
		if err := e.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	t.Run("errors", func(t *testing.T) {
		if _, err := embedded.Start(embedded.Options{NoAuth: true, NoFirestore: true}); err == nil {
			t.Error("Start with both left out: no error")
		}
		if _, err := embedded.Start(embedded.Options{NoFirestore: true, Rules: testRules}); err == nil {
			t.Error("Start with rules but no Firestore: no error")
		}
	})
}
