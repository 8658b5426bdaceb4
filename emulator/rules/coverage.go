package rules

// This file counts, per allow statement, how often its condition was
// evaluated and to what, so a test suite can report allows it never
// exercised. Counters are atomic: decisions run
// concurrently.

// CoverageEntry is the coverage of one allow statement.
type CoverageEntry struct {
	Line, Col int    // position of the `allow` keyword
	Match     string // pattern of the enclosing match block, as written
	Methods   []string
	Condition string // source text of the condition ("" when unconditional)
	// True, False and Error count the evaluations to each result.
	True, False, Error int64
}

// Evaluations is the total number of times the allow was evaluated.
func (c CoverageEntry) Evaluations() int64 { return c.True + c.False + c.Error }

// record counts one evaluation.
func (r *allowRule) record(res Result) {
	switch res {
	case ResultTrue:
		r.nTrue.Add(1)
	case ResultFalse:
		r.nFalse.Add(1)
	default:
		r.nError.Add(1)
	}
}

// Coverage returns one entry per allow statement, in source order.
func (rs *Ruleset) Coverage() []CoverageEntry {
	out := make([]CoverageEntry, len(rs.allows))
	for i, r := range rs.allows {
		e := CoverageEntry{
			Line: r.decl.Pos.Line, Col: r.decl.Pos.Col, Match: r.node.pattern, Condition: r.decl.Text,
			True: r.nTrue.Load(), False: r.nFalse.Load(), Error: r.nError.Load(),
		}
		for _, m := range r.decl.Methods {
			e.Methods = append(e.Methods, m.Name)
		}
		out[i] = e
	}
	return out
}

// ResetCoverage sets every counter back to zero.
func (rs *Ruleset) ResetCoverage() {
	for _, r := range rs.allows {
		r.nTrue.Store(0)
		r.nFalse.Store(0)
		r.nError.Store(0)
	}
}

// Unexercised returns the allow statements that never evaluated to true:
// a suite that means to exercise every allow fails when this is not empty.
func (rs *Ruleset) Unexercised() []CoverageEntry {
	var out []CoverageEntry
	for _, e := range rs.Coverage() {
		if e.True == 0 {
			out = append(out, e)
		}
	}
	return out
}
