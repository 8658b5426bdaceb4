// Package emutest is the public test kit for apps that test against the
// roomgate emulators (or Google's): one call starts the Firestore and Auth
// emulators for a test, and the clients a test needs come from there,
// a real Go Firestore client acting as a user under the security rules or
// as the owner, and the real Admin SDK Auth client.
//
//	emu := emutest.Start(t, emutest.RulesFile("../../firestore.rules"))
//	admin := emu.AdminClient(t)                                  // rules skipped
//	alice := emu.UserClient(t, "alice", map[string]any{"chat": true}) // rules apply
//
// Unlike package emulator/firestore, this package imports the Go
// Firestore client and the Firebase Admin SDK. Its client half, which
// takes an emulator's address and so also works against Google's
// emulators, is package emuclient.
package emutest
