package rules

import (
	"fmt"
	"strconv"
)

// This file declares what a decision reports.

// Result is what one allow condition evaluated to.
type Result string

const (
	ResultTrue  Result = "true"
	ResultFalse Result = "false"
	ResultError Result = "error"
)

// Outcome is the evaluation of one applicable allow statement.
type Outcome struct {
	Line, Col int    // position of the `allow` keyword
	Match     string // pattern of the enclosing match, e.g. /rooms/{roomId}
	Condition string // source text of the condition ("" when unconditional)
	Result    Result
	// Err is the error text when Result is ResultError, e.g.
	// "Property text is undefined on object."
	Err string
}

// Decision is the verdict on one operation.
type Decision struct {
	Allowed bool
	// Granted is the allow statement that granted the request; nil when
	// denied.
	Granted *Outcome
	// Outcomes lists every applicable allow statement that was evaluated,
	// in source order (for a denial: why each one failed).
	Outcomes []Outcome
	// AccessCalls counts the get/exists/getAfter/existsAfter calls charged
	// to this operation (cached repeats are not counted).
	AccessCalls int
	// Denial says why the operation was denied; nil when allowed.
	Denial *Denial

	method    Method // for Reason when allowed
	disjuncts int    // for Reason when a query of several disjuncts is allowed
}

// Reason is a one-line human-readable summary for logs and tests:
// "allowed: 'get' granted by allow @ L7 in match /cities/{d=**}" or
// "denied: " and the Denial's text.
func (d Decision) Reason() string {
	if d.Allowed && d.Granted != nil {
		s := "allowed: '" + string(d.method) + "' granted by allow @ L" + strconv.Itoa(d.Granted.Line) + " in match " + d.Granted.Match
		if d.disjuncts > 1 {
			s += fmt.Sprintf(" (all %d disjuncts)", d.disjuncts)
		}
		return s
	}
	if d.Allowed {
		return "allowed"
	}
	return "denied: " + d.Denial.String()
}

// BatchDecision is the verdict on a batch or transaction: allowed only if
// every operation is allowed and the shared access-call cap holds.
type BatchDecision struct {
	Allowed bool
	// Ops holds one Decision per operation, in request order.
	Ops []Decision
	// AccessCalls is the total charged to the batch (cap 20).
	AccessCalls int
	// Denial says why the batch was denied (its Op names the first denied
	// operation); nil when allowed.
	Denial *Denial
}

// Reason is a one-line human-readable summary for logs and tests:
// "allowed: all 2 operations allowed (1 access calls)" or "denied: " and
// the Denial's text, which names the denied operation.
func (bd BatchDecision) Reason() string {
	switch {
	case bd.Allowed && len(bd.Ops) == 0:
		return "allowed: empty batch"
	case bd.Allowed:
		return fmt.Sprintf("allowed: all %d operations allowed (%d access calls)", len(bd.Ops), bd.AccessCalls)
	}
	return "denied: " + bd.Denial.String()
}
