package rules

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
	// Reason is a one-line human-readable summary, suitable for a
	// PERMISSION_DENIED message.
	Reason string
}

// BatchDecision is the verdict on a batch or transaction: allowed only if
// every operation is allowed and the shared access-call cap holds.
type BatchDecision struct {
	Allowed bool
	// Ops holds one Decision per operation, in request order.
	Ops []Decision
	// AccessCalls is the total charged to the batch (cap 20).
	AccessCalls int
	Reason      string
}
