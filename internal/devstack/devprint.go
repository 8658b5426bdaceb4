package devstack

// devprint.go is what the local stack prints once it is ready: the
// addresses, the variables to export, the demo users and curl commands.

import (
	"fmt"
	"io"
)

// devCommand is one printed curl command.
type devCommand struct {
	Comment string
	Curl    string
}

// commands returns the curl commands to try. They use the exported shell
// variables for the URL, tokens and the room; uids inside JSON bodies are
// literal (uids are alphanumeric, safe inside single quotes).
func (s *devSession) commands() []devCommand {
	const (
		alice = `-H "Authorization: Bearer $ALICE_TOKEN"`
		bob   = `-H "Authorization: Bearer $BOB_TOKEN"`
		jsonH = `-H 'Content-Type: application/json'`
	)
	return []devCommand{
		{"liveness and readiness (no token needed)", `curl -sS "$ROOMGATE_URL/healthz"`},
		{"", `curl -sS "$ROOMGATE_URL/readyz"`},
		{"the OpenAPI document of the API", `curl -sS "$ROOMGATE_URL/openapi.json"`},
		{"alice creates a room with bob (she becomes its owner)",
			`curl -sS -X POST "$ROOMGATE_URL/v1/rooms" ` + alice + ` ` + jsonH +
				` -d '{"members":["` + s.bob.UID + `"],"title":"Weekend plans","kind":"group"}'`},
		{"alice lists her rooms, newest first", `curl -sS "$ROOMGATE_URL/v1/rooms" ` + alice},
		{"bob reads the room and its members", `curl -sS "$ROOMGATE_URL/v1/rooms/$ROOM_ID" ` + bob},
		{"alice (owner) removes bob", `curl -sS -X DELETE "$ROOMGATE_URL/v1/rooms/$ROOM_ID/members/$BOB_UID" ` + alice},
		{"alice adds bob back",
			`curl -sS -X POST "$ROOMGATE_URL/v1/rooms/$ROOM_ID/members" ` + alice + ` ` + jsonH +
				` -d '{"members":["` + s.bob.UID + `"]}'`},
	}
}

// print writes the addresses, the variables to export, the users and the
// commands. Tokens are printed on purpose: they are unsigned tokens of an
// in-memory Auth emulator for a demo- project, worthless anywhere else.
func (s *devSession) print(w io.Writer) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	p("roomgate-dev: ready (project %s)", s.emu.ProjectID)
	p("")
	p("  Firestore emulator  %s   (rules: %s)", s.emu.FirestoreAddr, s.lp.RulesPath)
	p("  Auth emulator       %s", s.emu.AuthAddr)
	p("  roomgate service    %s", s.svc.URL)
	p("")
	p("# Paste into a shell: the emulator variables (for SDKs, tests, `roomgate-dev demo`) and the demo session.")
	for _, kv := range s.emu.Env() {
		p("export %s", kv)
	}
	p("export ROOMGATE_URL=%s", s.svc.URL)
	p("export ALICE_UID=%s", s.alice.UID)
	p("export ALICE_TOKEN=%s", s.alice.IDToken)
	p("export BOB_UID=%s", s.bob.UID)
	p("export BOB_TOKEN=%s", s.bob.IDToken)
	p("export ROOM_ID=%s", s.roomID)
	p("")
	p("# Demo users (admitted: their ID tokens carry chat=true; tokens expire in 1 hour, restart to renew)")
	p("#   alice  %s  password %s  uid %s", s.alice.Email, s.alice.Password, s.alice.UID)
	p("#   bob    %s    password %s  uid %s", s.bob.Email, s.bob.Password, s.bob.UID)
	p("# ROOM_ID is a room alice created with bob.")
	p("")
	p("# Try the API:")
	for _, c := range s.commands() {
		if c.Comment != "" {
			p("# %s", c.Comment)
		}
		p("%s", c.Curl)
	}
	p("")
	p("# See the whole flow, with direct Firestore access and a live listener: go run ./cmd/roomgate-dev demo")
	p("Press Ctrl-C to stop.")
}

// DevReadyLine ends the printed setup; tests and scripts wait for it.
const DevReadyLine = "Press Ctrl-C to stop."
