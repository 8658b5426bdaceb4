package rules

import (
	"fmt"
	"math"
	"strings"
)

// This file turns a query's filter into disjuncts:
// an OR, an `in` and an `array-contains-any` are split into one disjunct
// per branch or value, each of which must be allowed on its own, and the
// conjunction of the field filters of one disjunct becomes facts about
// every document that disjunct can return.
//
// A fact is only ever something every returned document satisfies, so a
// filter the engine does not understand is simply ignored: it narrows the
// results, and knowing less can only make fewer conditions provable.

// maxDisjuncts caps the disjunctive normal form of a query filter.
// Firestore itself allows at most 30 disjunctions; a larger expansion is
// denied rather than evaluated.
const maxDisjuncts = 100

// fieldFacts is what a disjunct guarantees about one field.
type fieldFacts struct {
	eq    any // the field equals eq (== / in / is-null / is-nan)
	hasEq bool
	// lower and upper bounds (<, <=, >, >=).
	lo, hi         any
	hasLo, hasHi   bool
	loIncl, hiIncl bool
	// ne lists values the field differs from (!=, not-in, is-not-null).
	ne []any
	// contains lists values the array field contains (array-contains).
	contains []any
}

// disjunct is one conjunction of field filters of a query.
type disjunct struct {
	filters []Filter
	fields  map[string]*fieldFacts // by dotted field path
	name    string                 // full document path from __name__ ==, or ""
}

// text renders the disjunct for decision reasons, e.g. `x == 6 && y > 2`.
func (d *disjunct) text() string {
	if len(d.filters) == 0 {
		return "no filter"
	}
	parts := make([]string, len(d.filters))
	for i, f := range d.filters {
		if f.Op == OpIsNull || f.Op == OpIsNotNull || f.Op == OpIsNaN || f.Op == OpIsNotNaN {
			parts[i] = fmt.Sprintf("%s %s", f.Field, f.Op)
			continue
		}
		parts[i] = fmt.Sprintf("%s %s %s", f.Field, f.Op, goValueText(f.Value))
	}
	return strings.Join(parts, " && ")
}

func goValueText(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("%q", x)
	case Reference:
		return string(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = goValueText(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

// disjuncts expands f into disjunctive normal form. A nil filter is one
// disjunct with no facts.
func disjuncts(f *Filter) ([]*disjunct, error) {
	var conj [][]Filter
	if f == nil {
		conj = [][]Filter{nil}
	} else {
		var err error
		if conj, err = dnf(*f); err != nil {
			return nil, err
		}
	}
	out := make([]*disjunct, len(conj))
	for i, c := range conj {
		out[i] = newDisjunct(c)
	}
	return out, nil
}

func dnf(f Filter) ([][]Filter, error) {
	switch f.Op {
	case FilterAnd:
		acc := [][]Filter{nil}
		for _, c := range f.Filters {
			cd, err := dnf(c)
			if err != nil {
				return nil, err
			}
			if len(acc)*len(cd) > maxDisjuncts {
				return nil, fmt.Errorf("the query expands to more than %d disjunctions", maxDisjuncts)
			}
			next := make([][]Filter, 0, len(acc)*len(cd))
			for _, a := range acc {
				for _, b := range cd {
					conj := make([]Filter, 0, len(a)+len(b))
					conj = append(append(conj, a...), b...)
					next = append(next, conj)
				}
			}
			acc = next
		}
		return acc, nil
	case FilterOr:
		var out [][]Filter
		for _, c := range f.Filters {
			cd, err := dnf(c)
			if err != nil {
				return nil, err
			}
			out = append(out, cd...)
			if len(out) > maxDisjuncts {
				return nil, fmt.Errorf("the query expands to more than %d disjunctions", maxDisjuncts)
			}
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("an OR filter has no branches")
		}
		return out, nil
	case OpIn, OpArrayContainsAny:
		vals, ok := f.Value.([]any)
		if !ok || len(vals) == 0 {
			return nil, fmt.Errorf("%s filter on %s needs a non-empty list", f.Op, f.Field)
		}
		if len(vals) > maxDisjuncts {
			return nil, fmt.Errorf("the query expands to more than %d disjunctions", maxDisjuncts)
		}
		op := OpEqual
		if f.Op == OpArrayContainsAny {
			op = OpArrayContains
		}
		out := make([][]Filter, len(vals))
		for i, v := range vals {
			out[i] = []Filter{{Op: op, Field: f.Field, Value: v}}
		}
		return out, nil
	}
	return [][]Filter{{f}}, nil
}

// newDisjunct derives the facts of one conjunction of field filters.
func newDisjunct(filters []Filter) *disjunct {
	d := &disjunct{filters: filters} // fields is made on the first fact
	for _, f := range filters {
		if f.Field == "__name__" {
			if ref, ok := f.Value.(Reference); ok && f.Op == OpEqual && d.name == "" {
				d.name = string(ref)
			}
			continue
		}
		if f.Field == "" || strings.Contains(f.Field, "`") {
			// Quoted field paths are not matched against rule accesses:
			// the field stays unknown.
			continue
		}
		ff := d.fields[f.Field]
		if ff == nil {
			if d.fields == nil {
				d.fields = map[string]*fieldFacts{}
			}
			ff = &fieldFacts{}
			d.fields[f.Field] = ff
		}
		switch f.Op {
		case OpEqual:
			ff.setEq(f.Value)
		case OpIsNull:
			ff.setEq(nil)
		case OpIsNaN:
			ff.setEq(math.NaN())
		case OpNotEqual:
			ff.ne = append(ff.ne, f.Value)
		case OpIsNotNull:
			ff.ne = append(ff.ne, nil)
		case OpNotIn:
			if vals, ok := f.Value.([]any); ok {
				ff.ne = append(ff.ne, vals...)
			}
		case OpGreater, OpGreaterEqual:
			if !ff.hasLo {
				ff.lo, ff.hasLo, ff.loIncl = f.Value, true, f.Op == OpGreaterEqual
			}
		case OpLess, OpLessEqual:
			if !ff.hasHi {
				ff.hi, ff.hasHi, ff.hiIncl = f.Value, true, f.Op == OpLessEqual
			}
		case OpArrayContains:
			ff.contains = append(ff.contains, f.Value)
		}
	}
	return d
}

// setEq records an equality; with two, both hold, and the first is kept.
func (ff *fieldFacts) setEq(v any) {
	if !ff.hasEq {
		ff.eq, ff.hasEq = v, true
	}
}

// isNumber reports whether v is a Go number of document data.
func isNumber(v any) bool {
	switch v.(type) {
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return true
	}
	return false
}

// containsNumber reports whether v is or holds a number at any depth.
func containsNumber(v any) bool {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if containsNumber(e) {
				return true
			}
		}
		return false
	case map[string]any:
		for _, e := range x {
			if containsNumber(e) {
				return true
			}
		}
		return false
	}
	return isNumber(v)
}
