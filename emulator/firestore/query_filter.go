package firestore

import (
	"cloud.google.com/go/firestore/apiv1/firestorepb"
)

// This file evaluates filters against one document, following the
// semantics production applies through its indexes (and which the JS SDK
// reproduces for offline queries):
//   - == and the range operators only match values of the operand's type
//     (integers and doubles are one type; `a > 5` never matches a string);
//   - != and not-in match any type but exclude null and missing fields;
//   - a missing field matches nothing except through OR with another branch.

// matches reports whether d satisfies the filter tree.
func (n *filterNode) matches(d *firestorepb.Document) bool {
	switch n.kind {
	case filterAnd:
		for _, c := range n.children {
			if !c.matches(d) {
				return false
			}
		}
		return true
	case filterOr:
		for _, c := range n.children {
			if c.matches(d) {
				return true
			}
		}
		return false
	}
	var v *firestorepb.Value
	if n.isName {
		v = nameValue(d)
	} else {
		var ok bool
		if v, ok = getFieldSegs(d.GetFields(), n.path); !ok {
			return false
		}
	}
	if n.kind == filterUnary {
		return n.matchUnary(v)
	}
	return n.matchField(v)
}

func (n *filterNode) matchUnary(v *firestorepb.Value) bool {
	switch n.unaryOp {
	case firestorepb.StructuredQuery_UnaryFilter_IS_NULL:
		return typeOrder(v) == rankNull
	case firestorepb.StructuredQuery_UnaryFilter_IS_NOT_NULL:
		return typeOrder(v) != rankNull
	case firestorepb.StructuredQuery_UnaryFilter_IS_NAN:
		return isNaN(v)
	case firestorepb.StructuredQuery_UnaryFilter_IS_NOT_NAN:
		// Sent for `!= NaN`, which like every != excludes null.
		return typeOrder(v) != rankNull && !isNaN(v)
	}
	return false
}

func (n *filterNode) matchField(v *firestorepb.Value) bool {
	switch n.fieldOp {
	case firestorepb.StructuredQuery_FieldFilter_EQUAL:
		return valuesEqual(v, n.value)
	case firestorepb.StructuredQuery_FieldFilter_NOT_EQUAL:
		return typeOrder(v) != rankNull && !valuesEqual(v, n.value)
	case firestorepb.StructuredQuery_FieldFilter_LESS_THAN:
		return rangeComparable(v, n.value) && compareValues(v, n.value) < 0
	case firestorepb.StructuredQuery_FieldFilter_LESS_THAN_OR_EQUAL:
		return rangeComparable(v, n.value) && compareValues(v, n.value) <= 0
	case firestorepb.StructuredQuery_FieldFilter_GREATER_THAN:
		return rangeComparable(v, n.value) && compareValues(v, n.value) > 0
	case firestorepb.StructuredQuery_FieldFilter_GREATER_THAN_OR_EQUAL:
		return rangeComparable(v, n.value) && compareValues(v, n.value) >= 0
	case firestorepb.StructuredQuery_FieldFilter_IN:
		return containsMatchable(n.value.GetArrayValue().GetValues(), v)
	case firestorepb.StructuredQuery_FieldFilter_NOT_IN:
		operands := n.value.GetArrayValue().GetValues()
		// `not-in [null, ...]` matches nothing: every candidate is
		// either null (excluded) or "not null", which the null operand
		// cannot make true in production either.
		if containsValue(operands, vNullValue) {
			return false
		}
		// A NaN operand excludes nothing: NaN equals nothing here, so
		// `not-in [NaN]` keeps NaN (Google's emulator, observed).
		return typeOrder(v) != rankNull && !containsMatchable(operands, v)
	case firestorepb.StructuredQuery_FieldFilter_ARRAY_CONTAINS:
		// `array-contains null` (and NaN) matches nothing, as in
		// Google's emulator (observed) and like in/array-contains-any.
		return matchable(n.value) && containsValue(v.GetArrayValue().GetValues(), n.value)
	case firestorepb.StructuredQuery_FieldFilter_ARRAY_CONTAINS_ANY:
		arr, ok := v.GetValueType().(*firestorepb.Value_ArrayValue)
		if !ok {
			return false
		}
		for _, want := range n.value.GetArrayValue().GetValues() {
			if matchable(want) && containsValue(arr.ArrayValue.GetValues(), want) {
				return true
			}
		}
	}
	return false
}

// rangeComparable reports whether a range filter (<, <=, >, >=) can
// match v against operand: only values of the operand's type, and never
// NaN on either side (NaN is ordered before every number but compares to
// none, as in Google's emulator: `n < 3` and `n > -Infinity` leave NaN out).
func rangeComparable(v, operand *firestorepb.Value) bool {
	return typeOrder(v) == typeOrder(operand) && !isNaN(v) && !isNaN(operand)
}

// matchable reports whether an operand of in, not-in or
// array-contains-any can equal a stored value: null and NaN cannot (only
// the IS_NULL / IS_NAN unary filters find them), so `in [null]` and
// `in [NaN]` match nothing, as in Google's emulator (observed) and
// production (the JS SDK's "only == and != match null and NaN").
func matchable(operand *firestorepb.Value) bool {
	return typeOrder(operand) != rankNull && !isNaN(operand)
}

// containsMatchable reports whether operands hold a matchable value
// equal to v.
func containsMatchable(operands []*firestorepb.Value, v *firestorepb.Value) bool {
	for _, x := range operands {
		if matchable(x) && valuesEqual(x, v) {
			return true
		}
	}
	return false
}

var vNullValue = &firestorepb.Value{ValueType: &firestorepb.Value_NullValue{}}

// containsValue reports whether vs holds a value equal to v.
func containsValue(vs []*firestorepb.Value, v *firestorepb.Value) bool {
	for _, x := range vs {
		if valuesEqual(x, v) {
			return true
		}
	}
	return false
}
