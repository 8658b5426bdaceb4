// Package devstack is roomgate's developer wing: the local stack of
// `roomgate-dev` (the embedded Firestore and Auth emulators with the
// repository's rules, the service in-process, two admitted demo users and
// curl commands to try) and the narrated end-to-end demo of
// `roomgate-dev demo`.
//
// It is the only package under internal/ that may import the emulator
// (test/layering enforces it), so the production binary, cmd/roomgate,
// links none of it. Everything here talks to the stack through the
// interfaces a client uses: the Auth emulator's Identity Toolkit REST API,
// the service over HTTP, and the Go Firestore client authenticated as one
// end user.
package devstack
