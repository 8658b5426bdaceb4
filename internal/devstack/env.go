package devstack

// env.go sets emulator variables in the process environment for the
// duration of one call.

import (
	"os"
	"strings"
	"sync"
)

// envMu serialises changes of the process environment made here.
var envMu sync.Mutex

// withEnv runs fn with the variables kv set in the process environment and
// restores the previous values afterwards. The Admin SDK's Auth client and
// the Firestore client read FIRESTORE_EMULATOR_HOST and
// FIREBASE_AUTH_EMULATOR_HOST once, when they are created; restoring the
// environment afterwards keeps the user clients of the demo (which
// authenticate as users, not as the emulator's owner) unaffected and leaves
// the environment of a test process as it was.
//
// Why not a seam instead: Firestore could take option.WithEndpoint, but the
// Admin SDK (firebase.google.com/go/v4 v4.19.0, auth.NewClient) reads
// FIREBASE_AUTH_EMULATOR_HOST only from os.Getenv, with no Config field or
// client option for it, and that variable is also what switches its token
// verifier to the emulator's unsigned tokens; so the variable has to be in
// the environment while the Auth client is created. app.Clients runs
// config.CheckEmulatorSafety on these very variables, so the demo- project
// check still applies.
func withEnv(kv []string, fn func() error) error {
	envMu.Lock()
	defer envMu.Unlock()
	type old struct {
		val string
		set bool
	}
	saved := map[string]old{}
	for _, e := range kv {
		k, v, _ := strings.Cut(e, "=")
		if _, done := saved[k]; !done {
			val, set := os.LookupEnv(k)
			saved[k] = old{val, set}
		}
		os.Setenv(k, v)
	}
	defer func() {
		for k, o := range saved {
			if o.set {
				os.Setenv(k, o.val)
			} else {
				os.Unsetenv(k)
			}
		}
	}()
	return fn()
}
