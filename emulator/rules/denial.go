package rules

import (
	"fmt"
	"strconv"
	"strings"
)

// This file declares Denial: why an operation was denied, in fields, so
// that a server can word its own message without parsing prose.

// DenialKind says which way an operation was denied.
type DenialKind int

const (
	// DeniedInvalid: the request itself was malformed (no request, a
	// method or path of the wrong shape, an unusable query); no rule ran.
	// Detail says what is wrong.
	DeniedInvalid DenialKind = iota + 1
	// DeniedNoMatch: no allow statement applies to the method and path.
	DeniedNoMatch
	// DeniedConditions: every applicable allow evaluated to false or an
	// error; Outcomes says which and where.
	DeniedConditions
	// DeniedLimit: the evaluation hit a per-request limit (Limit), which
	// denies even when an allow granted; Outcomes lists what was
	// evaluated.
	DeniedLimit
)

// Limit names a per-request limit an evaluation can hit.
type Limit int

const (
	// LimitAccessCalls: more get/exists calls than an operation or a
	// batch may make.
	LimitAccessCalls Limit = iota + 1
	// LimitExpressions: more expressions evaluated than a request may.
	LimitExpressions
)

// String describes the limit, e.g. "access call limit exceeded (10 per
// operation, 20 per batch)".
func (l Limit) String() string {
	switch l {
	case LimitAccessCalls:
		return fmt.Sprintf("access call limit exceeded (%d per operation, %d per batch)", maxAccessPerOp, maxAccessBatch)
	case LimitExpressions:
		return fmt.Sprintf("expression limit exceeded (%d per operation)", maxSteps)
	}
	return "limit " + strconv.Itoa(int(l)) + " exceeded"
}

// Denial is why one operation was denied.
type Denial struct {
	Kind DenialKind
	// Op is the index of the denied operation in its batch; -1 outside a
	// batch (a single-document decision or a query). A nil operation of a
	// batch has no Method or Path and is named by Detail.
	Op int
	// Method and Path are the denied operation's (for a query, "list" and
	// the queried collection's path); empty for some DeniedInvalid.
	Method Method
	Path   string
	// Limit is the limit hit, for DeniedLimit.
	Limit Limit
	// Outcomes lists every applicable allow evaluated, in source order,
	// each with its line and why it failed (Result, Err). Empty for
	// DeniedNoMatch and DeniedInvalid.
	Outcomes []Outcome
	// Disjunct is, for a query whose filter splits into several
	// disjuncts (OR, in), the 1-based disjunct that was not proved
	// readable, of Disjuncts, with its text; 0 otherwise.
	Disjunct, Disjuncts int
	DisjunctText        string
	// Detail says what was wrong with the request, for DeniedInvalid.
	Detail string
}

// String renders the denial as one line without a "denied: " prefix, in
// the engine's words: "false for 'get' @ L12, Null value error. for 'get'
// @ L20", "no allow statement matches 'get' on /databases/…", prefixed
// with the operation of a batch ("operation 2 (create /databases/…): ")
// and the disjunct of a query ("disjunct 1 of 2 (…): ").
func (d *Denial) String() string {
	if d == nil {
		return ""
	}
	var b strings.Builder
	if d.Op >= 0 && (d.Method != "" || d.Path != "") {
		fmt.Fprintf(&b, "operation %d (%s %s): denied: ", d.Op, d.Method, d.Path)
	}
	if d.Disjunct > 0 {
		fmt.Fprintf(&b, "disjunct %d of %d (%s): ", d.Disjunct, d.Disjuncts, d.DisjunctText)
	}
	b.WriteString(d.Cause())
	return b.String()
}

// Cause renders the denial without naming the batch operation or query
// disjunct: the per-allow outcomes (after the limit hit, if any), the
// missing allow statement, or what was wrong with the request.
func (d *Denial) Cause() string {
	if d == nil {
		return ""
	}
	switch d.Kind {
	case DeniedNoMatch:
		return "no allow statement matches '" + string(d.Method) + "' on " + d.Path
	case DeniedConditions:
		return OutcomesText(d.Method, d.Outcomes)
	case DeniedLimit:
		return d.Limit.String() + ": " + OutcomesText(d.Method, d.Outcomes)
	}
	return d.Detail
}

// invalid is a Decision denying a malformed request with no rule run.
func invalid(detail string) Decision {
	return Decision{Denial: &Denial{Kind: DeniedInvalid, Op: -1, Detail: detail}}
}

// OutcomesText renders why each evaluated allow failed, Firestore-style:
// "false for 'get' @ L12, Null value error. for 'get' @ L20".
func OutcomesText(method Method, outs []Outcome) string {
	var b strings.Builder
	for i, o := range outs {
		if i > 0 {
			b.WriteString(", ")
		}
		switch o.Result {
		case ResultError:
			b.WriteString(o.Err)
		default:
			b.WriteString(string(o.Result))
		}
		b.WriteString(" for '")
		b.WriteString(string(method))
		b.WriteString("' @ L")
		b.WriteString(strconv.Itoa(o.Line))
	}
	return b.String()
}
