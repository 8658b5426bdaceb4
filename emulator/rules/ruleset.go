// Package rules evaluates Firestore Security Rules (rules_version 1 and 2):
// it compiles a ruleset and decides single-document operations, batches and
// queries as Cloud Firestore does, with Firestore's error semantics,
// access-call limits and coverage counted per allow statement. Where the
// behaviour is unsure it denies; FIDELITY.md lists those decisions and
// test/fidelity/DIVERGENCES.md the measured differences from Google's
// emulator.
//
// It imports only the standard library. Callers describe requests with the
// plain Go values of request.go; the Firestore emulator converts protobuf
// values at its own edge.
//
//	rs, err := rules.Compile("firestore.rules", src)
//	if err != nil { ... } // a parser.ErrorList with positions
//	d := rs.Decide(&rules.Request{Method: rules.MethodGet, Path: "/databases/(default)/documents/rooms/r1", Auth: &rules.Auth{UID: "alice"}})
//	if !d.Allowed { log.Print(d.Reason()) }
package rules

import (
	"github.com/roomgate/roomgate/emulator/rules/ast"
	"github.com/roomgate/roomgate/emulator/rules/parser"
)

// Ruleset is a compiled ruleset. It is safe for concurrent use: decisions
// only read it, and coverage counters are atomic.
type Ruleset struct {
	name    string
	version int // 1 or 2 (wildcard semantics, table 1.3)
	// roots are the match blocks directly inside the service.
	roots []*matchNode
	// allows lists every allow statement in source order (coverage).
	allows       []*allowRule
	globalFuncs  []*ast.Function
	serviceFuncs []*ast.Function
	// globalIndex and serviceIndex find those functions by name (the first
	// of a name wins); nil when there are none.
	globalIndex  map[string]*ast.Function
	serviceIndex map[string]*ast.Function
	funcs        map[*ast.Function]*funcInfo
	// consts holds the values of constant literals (constValues), boxed
	// once and shared by decisions.
	consts *constTable
	// readsResource is true when some condition or function names
	// `resource`; queries then rewrite them (query_rewrite.go).
	readsResource bool
	// warnings are the problems found that do not stop loading (check.go).
	warnings parser.ErrorList
	// nWarnings is how many warnings were found, listed or not.
	nWarnings int
}

// Compile parses and checks src (the file's contents; name is used in error
// messages). The error, when not nil, is a parser.ErrorList listing every
// problem found with its position: syntax errors, static limits, and calls
// between functions that form a cycle.
func Compile(name string, src []byte) (*Ruleset, error) {
	f, err := parser.ParseFile(name, src)
	if err != nil {
		return nil, err
	}
	return compile(f, src)
}

// Warnings returns what the compiler found suspicious without rejecting
// the ruleset, sorted by position and worded as Google's compiler words
// it: unknown variables and functions, wrong argument counts, operands of
// a statically wrong type, unused functions and variables, an unknown
// service or allow method. Each such expression is an error at run time
// (the request is denied); an unknown service or method grants nothing.
// The list is nil when there are none; callers must not modify it. It
// holds the first 100 warnings by position; when there were more, a last
// entry without a position says how many were left out ("... and 12 more
// warnings"), and WarningCount counts them all. The same holds for the
// errors Compile returns. A source line longer than parser.MaxExcerpt is
// shown as an excerpt around the column.
func (rs *Ruleset) Warnings() parser.ErrorList { return rs.warnings }

// WarningCount is how many warnings the compiler found, including those
// Warnings leaves out.
func (rs *Ruleset) WarningCount() int { return rs.nWarnings }

// Version reports the ruleset's rules_version (1 or 2).
func (rs *Ruleset) Version() int { return rs.version }
