package rules

import (
	"fmt"
	"math"
	"sort"
	"strconv"
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
	// exact says eq's type is exact: a number in a numeric variant
	// (variants), or any value but a number.
	exact bool
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
	case float64:
		// A float shows as one (5.0), so numeric variants read apart.
		t := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(t, ".eEIN") {
			t += ".0"
		}
		return t
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

// maxVariants caps the numeric variants of one disjunct (variants).
const maxVariants = 64

// variants splits d by the types its numeric equalities leave open. A
// query's `x == 5` (or `in`) matches a stored 5 and a stored 5.0 alike
// (and `x == 0` a stored -0.0), so a rule must hold for each: a variant
// fixes every such field to one exact number, which is then substituted
// wherever the field is read (`x is int`, `x / 2`, `string(x)`), each
// variant judged on its own. A non-integral float (and NaN, from is-nan)
// has one variant. Over-including a variant can only deny more. A number
// nested in a pinned list or map is not split (it stays substituted only
// as a comparison operand, query_rewrite.go). When the variants would
// exceed maxVariants, d is returned alone, numbers inexact.
func (d *disjunct) variants() []*disjunct {
	out := []*disjunct{d}
	numeric := false
	for _, ff := range d.fields {
		numeric = numeric || (ff.hasEq && isNumber(ff.eq))
	}
	if !numeric {
		return out
	}
	for _, f := range d.sortedFields() {
		ff := d.fields[f]
		if !ff.hasEq || !isNumber(ff.eq) {
			continue
		}
		nums := numberVariants(ff.eq)
		if len(out)*len(nums) > maxVariants {
			return []*disjunct{d}
		}
		next := make([]*disjunct, 0, len(out)*len(nums))
		for _, v := range out {
			for _, n := range nums {
				next = append(next, v.withExact(f, n))
			}
		}
		out = next
	}
	return out
}

// sortedFields returns the constrained field paths in order, so that
// variants come in a stable order.
func (d *disjunct) sortedFields() []string {
	fs := make([]string, 0, len(d.fields))
	for f := range d.fields {
		fs = append(fs, f)
	}
	sort.Strings(fs)
	return fs
}

// withExact returns a copy of d with field f pinned to the exact number n,
// its equality filter showing n.
func (d *disjunct) withExact(f string, n any) *disjunct {
	c := &disjunct{name: d.name, fields: make(map[string]*fieldFacts, len(d.fields))}
	for k, v := range d.fields {
		c.fields[k] = v
	}
	ff := *d.fields[f]
	ff.eq, ff.exact = n, true
	c.fields[f] = &ff
	c.filters = append([]Filter(nil), d.filters...)
	for i, fl := range c.filters {
		if fl.Field == f && (fl.Op == OpEqual || fl.Op == OpIsNaN) {
			c.filters[i].Value = n
			break
		}
	}
	return c
}

// numberVariants returns the stored numbers equal to v as Firestore
// compares them: v as an int64 and as a float64 where either exists (and
// -0.0 beside 0), NaN alone.
func numberVariants(v any) []any {
	f, isInt := 0.0, false
	var i int64
	switch x := fromGo(v).(type) {
	case intV:
		i, f, isInt = int64(x), float64(x), true
	case floatV:
		f = float64(x)
	}
	switch {
	case math.IsNaN(f):
		return []any{f}
	case f == 0:
		return []any{int64(0), 0.0, math.Copysign(0, -1)}
	case isInt:
		return []any{i, f}
	case f == math.Trunc(f) && f >= -(1<<63) && f < 1<<63:
		return []any{int64(f), f}
	}
	return []any{f}
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
