// Package rules evaluates Firestore Security Rules (rules_version 1 and 2):
// it compiles a ruleset and decides single-document operations, batches and
// queries exactly as Cloud Firestore does, with Firestore's error semantics,
// access-call limits and per-expression coverage.
//
// It imports only the standard library. Callers describe requests with the
// plain Go values of request.go; the Firestore emulator converts protobuf
// values at its own edge.
//
//	rs, err := rules.Compile("firestore.rules", src)
//	if err != nil { ... } // a parser.ErrorList with positions
//	d := rs.Decide(&rules.Request{Method: rules.MethodGet, Path: "/databases/(default)/documents/rooms/r1", Auth: &rules.Auth{UID: "alice"}})
//	if !d.Allowed { log.Print(d.Reason) }
package rules

import "errors"

// errNotImplemented is returned by parts of the engine still being built.
var errNotImplemented = errors.New("rules: not implemented")

// Ruleset is a compiled ruleset. It is safe for concurrent use.
type Ruleset struct{}

// Compile parses and checks src (the file's contents; name is used in error
// messages). The error, when not nil, lists every problem found with its
// position.
func Compile(name string, src []byte) (*Ruleset, error) {
	return nil, errNotImplemented
}

// Decide decides one single-document operation (get, create, update,
// delete).
func (rs *Ruleset) Decide(req *Request) Decision {
	return Decision{Reason: errNotImplemented.Error()}
}

// DecideBatch decides the writes of one batch or transaction together:
// getAfter/existsAfter see the state after every write, each operation is
// capped at 10 access calls and the batch at 20.
func (rs *Ruleset) DecideBatch(reqs []*Request) BatchDecision {
	return BatchDecision{Reason: errNotImplemented.Error()}
}

// DecideQuery decides a list operation from the query's constraints alone
// (rules are not filters): allowed only if every document the query could
// return is provably readable.
func (rs *Ruleset) DecideQuery(q *Query) Decision {
	return Decision{Reason: errNotImplemented.Error()}
}
