package emutest

import (
	"testing"

	"cloud.google.com/go/firestore"
	"firebase.google.com/go/v4/auth"

	"github.com/roomgate/roomgate/emulator/embedded"
	"github.com/roomgate/roomgate/emulator/emutest/emuclient"
)

// Option configures Start.
type Option func(*embedded.Options)

// RulesFile loads the Firestore rules in path at start; compile errors
// name the path and fail the test.
func RulesFile(path string) Option { return func(o *embedded.Options) { o.RulesPath = path } }

// Rules loads Firestore rules source at start.
func Rules(src string) Option { return func(o *embedded.Options) { o.Rules = src } }

// ProjectID sets the project the emulators serve (embedded.DefaultProjectID,
// "demo-roomgate", by default). Use a demo- project: nothing can then reach
// production by mistake.
func ProjectID(id string) Option { return func(o *embedded.Options) { o.ProjectID = id } }

// Quiet discards the emulators' logs, which otherwise go to t.Logf.
func Quiet() Option { return Logf(func(string, ...any) {}) }

// Logf sends the emulators' log lines to logf instead of t.Logf.
func Logf(logf func(format string, args ...any)) Option {
	return func(o *embedded.Options) { o.Logf = logf }
}

// With changes any other field of embedded.Options (addresses, leaving an
// emulator out).
func With(change func(*embedded.Options)) Option { return change }

// Emulators is a running emulator pair for one test, with the clients a
// test needs. The embedded fields (addresses, project, Env, Setenv, the
// servers) are embedded.Emulators'.
type Emulators struct {
	*embedded.Emulators
}

// Start starts the Firestore and Auth emulators on free loopback ports
// for the test; t.Cleanup stops them and an error fails the test. With no
// rules option the Firestore emulator allows everything, as Google's does
// without rules. Start does not touch the environment: call Setenv for
// code that finds the emulators through FIRESTORE_EMULATOR_HOST and
// friends.
func Start(t testing.TB, opts ...Option) *Emulators {
	t.Helper()
	var o embedded.Options
	for _, opt := range opts {
		opt(&o)
	}
	return &Emulators{embedded.StartT(t, o)}
}

// IDToken is an unsigned ID token for uid in the emulators' project with
// the given custom claims (see emuclient.IDToken).
func (e *Emulators) IDToken(uid string, claims map[string]any) string {
	return emuclient.IDToken(e.ProjectID, uid, claims)
}

// UserClient is a Firestore client acting as uid with the given custom
// claims, under the security rules; uid "" is an unauthenticated client.
// t.Cleanup closes it.
func (e *Emulators) UserClient(t testing.TB, uid string, claims map[string]any) *firestore.Client {
	t.Helper()
	tok := ""
	if uid != "" {
		tok = e.IDToken(uid, claims)
	}
	return emuclient.UserClient(t, e.FirestoreAddr, e.ProjectID, tok)
}

// AdminClient is a Firestore client for the owner: the rules are
// skipped, as for the Admin SDK. t.Cleanup closes it.
func (e *Emulators) AdminClient(t testing.TB) *firestore.Client {
	t.Helper()
	return emuclient.AdminClient(t, e.FirestoreAddr, e.ProjectID)
}

// AdminAuth is the real Admin SDK Auth client on the Auth emulator. It
// sets FIREBASE_AUTH_EMULATOR_HOST with t.Setenv (see emuclient.AdminAuth).
func (e *Emulators) AdminAuth(t testing.TB) *auth.Client {
	t.Helper()
	return emuclient.AdminAuth(t, e.AuthAddr, e.ProjectID)
}
