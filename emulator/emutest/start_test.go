package emutest_test

import (
	"context"
	"os"
	"testing"

	"firebase.google.com/go/v4/auth"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/roomgate/roomgate/emulator/emutest"
	"github.com/roomgate/roomgate/emulator/emutest/emuclient"
)

// TestStart drives every method of the kit against the emulators it
// starts: what a user may do under the rules, what the owner may, and an
// Admin SDK custom claim reaching the rules through a sign-in.
func TestStart(t *testing.T) {
	emu := emutest.Start(t, emutest.Rules(`rules_version = '2';
service cloud.firestore {
  match /databases/{db}/documents {
    match /notes/{uid} {
      allow read: if request.auth != null && request.auth.uid == uid;
      allow write: if request.auth != null && request.auth.token.get('editor', false) == true;
    }
  }
}`), emutest.ProjectID("demo-kit"), emutest.Quiet())
	ctx := context.Background()
	if emu.ProjectID != "demo-kit" {
		t.Fatalf("ProjectID = %q", emu.ProjectID)
	}
	if _, err := emu.AdminClient(t).Doc("notes/alice").Set(ctx, map[string]any{"n": 1}); err != nil {
		t.Fatalf("owner write: %v", err)
	}

	t.Run("a user reads under the rules", func(t *testing.T) {
		if _, err := emu.UserClient(t, "alice", nil).Doc("notes/alice").Get(ctx); err != nil {
			t.Fatalf("alice reads her note: %v", err)
		}
		if _, err := emu.UserClient(t, "bob", nil).Doc("notes/alice").Get(ctx); status.Code(err) != codes.PermissionDenied {
			t.Fatalf("bob reads alice's note: %v, want PermissionDenied", err)
		}
		if _, err := emu.UserClient(t, "", nil).Doc("notes/alice").Get(ctx); status.Code(err) != codes.PermissionDenied {
			t.Fatalf("nobody reads alice's note: %v, want PermissionDenied", err)
		}
	})
	t.Run("custom claims reach request.auth.token", func(t *testing.T) {
		if _, err := emu.UserClient(t, "bob", nil).Doc("notes/bob").Set(ctx, map[string]any{"n": 2}); status.Code(err) != codes.PermissionDenied {
			t.Fatalf("bob without editor writes: %v, want PermissionDenied", err)
		}
		if _, err := emu.UserClient(t, "bob", map[string]any{"editor": true}).Doc("notes/bob").Set(ctx, map[string]any{"n": 2}); err != nil {
			t.Fatalf("bob as editor writes: %v", err)
		}
	})
	t.Run("Admin SDK claims reach the rules through a sign-in", func(t *testing.T) {
		ac := emu.AdminAuth(t)
		if os.Getenv("FIREBASE_AUTH_EMULATOR_HOST") != emu.AuthAddr {
			t.Fatal("AdminAuth did not point the Admin SDK at the Auth emulator")
		}
		if _, err := ac.CreateUser(ctx, (&auth.UserToCreate{}).UID("carol")); err != nil {
			t.Fatal(err)
		}
		if err := ac.SetCustomUserClaims(ctx, "carol", map[string]any{"editor": true}); err != nil {
			t.Fatal(err)
		}
		s, err := emuclient.SignInAs(ctx, emu.AuthAddr, ac, "carol")
		if err != nil {
			t.Fatal(err)
		}
		if s.UID != "carol" || s.RefreshToken == "" {
			t.Fatalf("session = %+v", s)
		}
		carol := emuclient.UserClient(t, emu.FirestoreAddr, emu.ProjectID, s.IDToken)
		if _, err := carol.Doc("notes/carol").Set(ctx, map[string]any{"n": 3}); err != nil {
			t.Fatalf("carol (editor by Admin SDK claim) writes: %v", err)
		}
	})
	t.Run("password sign-up, sign-in and refresh", func(t *testing.T) {
		up, err := emuclient.SignUp(ctx, emu.AuthAddr, "dana@example.com", "password1")
		if err != nil {
			t.Fatal(err)
		}
		in, err := emuclient.SignInWithPassword(ctx, emu.AuthAddr, "dana@example.com", "password1")
		if err != nil {
			t.Fatal(err)
		}
		if up.UID == "" || in.UID != up.UID {
			t.Fatalf("sign-up uid %q, sign-in uid %q", up.UID, in.UID)
		}
		if _, err := emuclient.SignInWithPassword(ctx, emu.AuthAddr, "dana@example.com", "wrong-password"); err == nil {
			t.Fatal("a wrong password signed in")
		}
		r, err := emuclient.Refresh(ctx, emu.AuthAddr, in.RefreshToken)
		if err != nil {
			t.Fatal(err)
		}
		if r.UID != up.UID || r.IDToken == "" {
			t.Fatalf("refresh = %+v", r)
		}
		dana := emuclient.UserClient(t, emu.FirestoreAddr, emu.ProjectID, r.IDToken)
		// Allowed by the rules, so the missing note is NotFound, not PermissionDenied.
		if _, err := dana.Doc("notes/" + up.UID).Get(ctx); status.Code(err) != codes.NotFound {
			t.Fatalf("dana reads her (missing) note: %v, want NotFound", err)
		}
	})
	t.Run("clearing documents and accounts", func(t *testing.T) {
		if err := emuclient.ClearDocuments(ctx, emu.FirestoreAddr, emu.ProjectID); err != nil {
			t.Fatal(err)
		}
		if snap, err := emu.AdminClient(t).Doc("notes/alice").Get(ctx); status.Code(err) != codes.NotFound {
			t.Fatalf("after clear: %v %v, want NotFound", snap, err)
		}
		if err := emuclient.ClearAccounts(ctx, emu.AuthAddr, emu.ProjectID); err != nil {
			t.Fatal(err)
		}
		if _, err := emu.AdminAuth(t).GetUser(ctx, "carol"); !auth.IsUserNotFound(err) {
			t.Fatalf("after clear: %v, want user not found", err)
		}
	})
	t.Run("rules loaded over REST replace the old ones", func(t *testing.T) {
		open := "rules_version = '2';\nservice cloud.firestore {\n  match /databases/{db}/documents {\n    match /{d=**} { allow read, write: if true; }\n  }\n}"
		if err := emuclient.LoadRules(ctx, emu.FirestoreAddr, emu.ProjectID, open); err != nil {
			t.Fatal(err)
		}
		if _, err := emu.UserClient(t, "", nil).Doc("notes/x").Set(ctx, map[string]any{}); err != nil {
			t.Fatalf("open rules: %v", err)
		}
		if err := emuclient.LoadRules(ctx, emu.FirestoreAddr, emu.ProjectID, "not rules"); err == nil {
			t.Fatal("rules that do not compile were accepted")
		}
	})
}
