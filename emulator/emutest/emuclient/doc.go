// Package emuclient is the client half of the emutest kit: unsigned
// emulator ID tokens, per-RPC bearer credentials, Go Firestore clients
// acting as a user or as the owner, and the emulators' REST calls (rules,
// clearing data, Auth sign-up and sign-in).
//
// Every function takes the emulator's address, so it works against
// roomgate's emulators and Google's alike. The package imports no
// emulator, so the emulators' own in-package tests can use it; most
// callers want package emutest, which also starts the emulators.
package emuclient
