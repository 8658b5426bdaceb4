package rules

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/roomgate/roomgate/emulator/emutest"
	"github.com/roomgate/roomgate/emulator/rules"
	"github.com/roomgate/roomgate/emulator/rules/ast"
	"github.com/roomgate/roomgate/emulator/rules/parser"
)

// equivalent lists the mutants no request can tell apart from the shipped
// rules (or, for the few timing ones, none without aiming at the server's
// clock to a fraction of a second), each with the reason, keyed by their description without source
// positions. The test fails if one of them is ever caught (then it was not
// equivalent: delete it here) and if any mutant not listed survives (then
// a clause is untested: add a case).
//
// Most of them are defensive clauses that a later clause implies under
// Firestore's error semantics: reading a field of a null request.auth, or
// a missing key of a map, is an error, and an error denies.
var equivalent = map[string]string{
	// request.auth == null makes request.auth.token and request.auth.uid
	// errors, and every use of signedIn() is followed by one of them.
	"function signedIn: body -> true":                               "every caller of signedIn() then reads request.auth.token or .uid, an error when unauthenticated",
	"function admitted: && operand `signedIn()` -> true":            "the next operand reads request.auth.token, an error when unauthenticated",
	"match /users/{uid} allow get: && operand `signedIn()` -> true": "notBanned() reads request.auth.token, an error when unauthenticated",
	// hasAll says "no field missing"; validNewMessage then reads each of
	// the three fields, and a missing one is an error.
	"function validNewMessage: && operand `msg.keys().hasAll([\"senderId\", \"text\", \"createdAt\"])` -> true": "senderId, text and createdAt are each read later; a missing one is an error",
	"function validNewMessage: `msg.keys().hasAll([\"senderId\", \"text\", \"createdAt\"])`: hasAll -> hasAny":  "as above",
	"function validNewMessage: list element `\"senderId\"` dropped from the argument of hasAll":                 "msg.senderId is read later; missing is an error",
	"function validNewMessage: list element `\"text\"` dropped from the argument of hasAll":                     "msg.text is read later (validText); missing is an error",
	"function validNewMessage: list element `\"createdAt\"` dropped from the argument of hasAll":                "msg.createdAt is read later; missing is an error",
	// validEdit reads both resource.data (null on create) and
	// request.resource.data (null on get, list, delete).
	"match /messages/{messageId} allow update: methods -> read, write": "validEdit() errors for every other method: resource is null on create, request.resource on reads and delete",
	// The same for the chat-state writes: each condition ends in a shape
	// check of request.resource.data, which is null on reads and delete.
	"match /reads/{uid} allow create, update: methods -> read, write":   "validReadMarker() reads request.resource.data, null on reads and delete",
	"match /typing/{uid} allow create, update: methods -> read, write":  "validTyping() reads request.resource.data, null on reads and delete",
	"match /posting/{uid} allow create, update: methods -> read, write": "validPosting() reads request.resource.data, null on reads and delete",

	// Equal to request.time to the microsecond, or 10 s against 9 or 11 s:
	// a client cannot aim a timestamp at the server's request time (only
	// serverTimestamp() equals it, and nothing adds to it), so telling
	// these apart would take a request timed to a fraction of a second.
	// The suite has no timed assertions; cases 5 s and 60 s ahead, and
	// posts one minute and years after the last, pin the bounds instead.
	"function validTyping: `(typing.expiresAt <= (request.time + duration.value(10, \"s\")))`: <= -> <":                    "expiresAt exactly request.time + 10 s cannot be aimed at",
	"function validTyping: literal 10 -> 11":                                                                               "needs expiresAt between 10 and 11 s after a request time the client cannot know",
	"function validTyping: literal 10 -> 9":                                                                                "needs expiresAt between 9 and 10 s after a request time the client cannot know",
	"function postedAfterPause: `((get(path).data.lastPostAt + duration.value(seconds, \"s\")) <= request.time)`: <= -> <": "the pause ending exactly at request time cannot be aimed at",
}

// positions matches the source positions in a mutant's description.
var positions = regexp.MustCompile(`L\d+(:\d+)? `)

// stableKey is a mutant's description without source positions, so the
// equivalent list survives edits elsewhere in the rules.
func stableKey(desc string) string { return positions.ReplaceAllString(desc, "") }

// TestWeakenedRulesAreCaught is the proof that the table pins the rules
// down: for every clause of firestore.rules, a ruleset with that clause
// weakened (or otherwise changed) makes at least one case decide
// differently. It always runs on roomgate's embedded emulator, where
// loading a ruleset is cheap; each mutant is loaded through the same
// REST endpoint as the shipped rules and the cases go through the Go
// client exactly as in TestRules.
func TestWeakenedRulesAreCaught(t *testing.T) {
	if testing.Short() {
		t.Skip("mutation test skipped in -short mode")
	}
	src, err := os.ReadFile(rulesPath)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := mutants(src)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 20 {
		t.Fatalf("only %d mutants derived from %s: the enumeration is broken", len(ms), rulesPath)
	}
	emu := emutest.Start(t, emutest.ProjectID("demo-mutants"), emutest.Quiet())
	h, err := newHarness(emu.FirestoreAddr, emu.ProjectID)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.close)
	ctx := context.Background()
	cases := allCases()

	// firstMismatch runs the table until a case decides other than it
	// should, and returns that case ("" if none does).
	firstMismatch := func(t *testing.T) string {
		for _, c := range cases {
			got, err := h.run(ctx, c)
			if errors.Is(err, errUnexpected) && got == 0 {
				t.Fatalf("%s: %v", c, err)
			}
			if got != c.want {
				return c.String() + ": " + got.String() + ", want " + c.want.String()
			}
		}
		return ""
	}

	// The shipped rules pass the whole table here, and so does their
	// print from the syntax tree (as every mutant is printed): a mutant
	// differs from the shipped rules only by its one change.
	f, err := parser.ParseFile(rulesPath, src)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{string(src), ast.PrintFile(f)} {
		if err := h.loadRules(r); err != nil {
			t.Fatal(err)
		}
		if m := firstMismatch(t); m != "" {
			t.Fatalf("unchanged rules fail the table on this emulator: %s", m)
		}
	}

	if dir := os.Getenv("ROOMGATE_MUTANTS_DIR"); dir != "" {
		writeMutants(t, dir, ms)
	}

	caught := 0
	for _, m := range ms {
		if _, err := rules.Compile("mutant.rules", []byte(m.src)); err != nil {
			t.Errorf("mutant %q does not compile: %v", m.desc, err)
			continue
		}
		if err := h.loadRules(m.src); err != nil {
			t.Fatalf("load mutant %q: %v", m.desc, err)
		}
		by := firstMismatch(t)
		why, known := equivalent[stableKey(m.desc)]
		switch {
		case by != "" && known:
			t.Errorf("mutant listed as equivalent (%s) is caught by %s: remove it from the list\n  %s", why, by, m.desc)
		case by != "":
			caught++
			t.Logf("caught  %s\n        by %s", m.desc, by)
		case known:
			t.Logf("equivalent  %s\n        (%s)", m.desc, why)
		default:
			t.Errorf("SURVIVED  %s: no case notices this change; add one", m.desc)
		}
	}
	t.Logf("%d mutants: %d caught, %d known equivalent", len(ms), caught, len(ms)-caught)
}

// writeMutants saves each mutant as DIR/NNN.rules with its description as
// the first comment line, for running other suites against them (the JS
// suite: test/rules-js/mutants.js).
func writeMutants(t *testing.T, dir string, ms []mutant) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, m := range ms {
		text := "// mutant: " + m.desc + "\n"
		if why, ok := equivalent[stableKey(m.desc)]; ok {
			text += "// equivalent: " + why + "\n"
		}
		text += m.src
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%03d.rules", i)), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("wrote %d mutants to %s", len(ms), dir)
}
