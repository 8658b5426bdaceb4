package emutest_test

import (
	"context"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/roomgate/roomgate/emulator/embedded"
	"github.com/roomgate/roomgate/emulator/emutest/emuclient"
)

// exampleRules let a signed-in user read and write only their own
// profile.
const exampleRules = `rules_version = '2';
service cloud.firestore {
  match /databases/{db}/documents {
    match /profiles/{uid} {
      allow read, write: if request.auth != null && request.auth.uid == uid;
    }
  }
}`

// In a test, emutest.Start(t, emutest.Rules(src)) starts the emulators
// and emu.UserClient(t, "alice", nil) gives alice's client; this example
// uses the same pieces without a *testing.T.
func Example() {
	emu, err := embedded.Start(embedded.Options{Rules: exampleRules, Logf: func(string, ...any) {}})
	if err != nil {
		panic(err)
	}
	defer emu.Close()
	ctx := context.Background()

	// A Firestore client acting as alice, with an unsigned emulator ID token.
	alice, closeAlice, err := emuclient.NewClient(ctx, emu.FirestoreAddr, emu.ProjectID,
		emuclient.IDToken(emu.ProjectID, "alice", map[string]any{"chat": true}))
	if err != nil {
		panic(err)
	}
	defer closeAlice()

	_, err = alice.Doc("profiles/alice").Set(ctx, map[string]any{"name": "Alice"})
	fmt.Println("alice writes her profile:", status.Code(err))
	_, err = alice.Doc("profiles/bob").Set(ctx, map[string]any{"name": "Mallory"})
	fmt.Println("alice writes bob's profile:", status.Code(err) == codes.PermissionDenied)

	// A user who signs up with a password gets a real emulator ID token.
	bob, err := emuclient.SignUp(ctx, emu.AuthAddr, "bob@example.com", "password1")
	if err != nil {
		panic(err)
	}
	bobFS, closeBob, err := emuclient.NewClient(ctx, emu.FirestoreAddr, emu.ProjectID, bob.IDToken)
	if err != nil {
		panic(err)
	}
	defer closeBob()
	_, err = bobFS.Doc("profiles/"+bob.UID).Set(ctx, map[string]any{"name": "Bob"})
	fmt.Println("bob writes his profile:", status.Code(err))
	// Output:
	// alice writes her profile: OK
	// alice writes bob's profile: true
	// bob writes his profile: OK
}
