package rules

// This file surfaces the rules language's limits in
// decisions. The evaluator enforces the per-request ones (access calls,
// expressions, call depth) by turning the offending call or expression
// into an error value; the parser enforces the static ones (match depth,
// captures, pattern length, parameters, lets, source size). A decision
// that ran into a per-request limit is denied, and its reason says which
// limit, ahead of the per-allow details.

// maxRequestSegments bounds the path of a request: Firestore nests at
// most 100 levels of subcollections, so a document path has at most
// 3 + 2*100 segments. Longer paths are denied before matching.
const maxRequestSegments = 3 + 2*100

// limitHit returns the limit the evaluation hit, or 0 when none was hit.
func limitHit(ctx *evalContext) Limit {
	switch {
	case ctx.access.limitExceeded():
		return LimitAccessCalls
	case ctx.steps > maxSteps:
		return LimitExpressions
	}
	return 0
}
