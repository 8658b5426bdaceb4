// Package rules holds the Go test suite for the shipped firestore.rules.
//
// The suite drives the real Go Firestore client (cloud.google.com/go/firestore)
// as each kind of user, through an unsigned ID token of the shape the
// Firebase emulators accept, against the emulator named by
// FIRESTORE_EMULATOR_HOST (and GCLOUD_PROJECT), or, when that is unset,
// against roomgate's embedded emulator started in-process. The cases are a
// table (cases_*_test.go): who, what operation on which path with which
// data (and which further writes in the same batch, as slow mode needs),
// over which stored state, and whether the rules must allow it.
//
// Beyond the table the suite checks that every allow statement of
// firestore.rules evaluated to true at least once (rule coverage), and
// that weakening any single clause of the rules makes at least one case
// fail (mutation_test.go).
//
//	go test ./test/rules/                                  # embedded emulator
//	firebase emulators:exec --only auth,firestore "go test ./test/rules/"
package rules
