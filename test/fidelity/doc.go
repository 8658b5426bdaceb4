// Package fidelity measures roomgate's rules engine against Google's Cloud
// Firestore emulator: the same rules, stored documents, caller and
// operation go to both emulators through the real Go Firestore client, and
// the verdicts (allowed, PERMISSION_DENIED, or another status) are compared.
//
// The corpus is the engine's own data-driven cases
// (emulator/rules/testdata/decide and testdata/expr) plus targeted probes
// (testdata/probes*.txt) for the questions the rules reference leaves open.
// Every divergence found is listed in DIVERGENCES.md and in the Go table
// knownDivergences; the test fails when a new divergence appears and when a
// listed one no longer reproduces, so the list stays true.
//
// Google's emulator is found through ROOMGATE_GOOGLE_FIRESTORE_EMULATOR (the
// cloud_firestore_emulator script) or the Cloud SDK's default path. Without
// it (or without java) the test is skipped, never passed.
//
//	go test ./test/fidelity/
package fidelity
