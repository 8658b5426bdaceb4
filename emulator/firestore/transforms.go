package firestore

import (
	"math"
	"time"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Field transforms (write.proto DocumentTransform.FieldTransform). Each returns the new field value and the
// transform_result reported to the client.

// parsedTransform is a validated field transform.
type parsedTransform struct {
	segs []string
	ft   *firestorepb.DocumentTransform_FieldTransform
}

func parseTransforms(fts []*firestorepb.DocumentTransform_FieldTransform) ([]parsedTransform, error) {
	out := make([]parsedTransform, 0, len(fts))
	for _, ft := range fts {
		segs, err := parseFieldPath(ft.GetFieldPath())
		if err != nil {
			return nil, status.Error(codes.InvalidArgument, err.Error())
		}
		switch k := ft.GetTransformType().(type) {
		case *firestorepb.DocumentTransform_FieldTransform_SetToServerValue:
			if k.SetToServerValue != firestorepb.DocumentTransform_FieldTransform_REQUEST_TIME {
				return nil, status.Errorf(codes.InvalidArgument, "unsupported server value %v", k.SetToServerValue)
			}
		case *firestorepb.DocumentTransform_FieldTransform_Increment:
			if !isNumber(k.Increment) {
				return nil, status.Errorf(codes.InvalidArgument, "increment operand for %s must be an integer or a double", ft.GetFieldPath())
			}
		case *firestorepb.DocumentTransform_FieldTransform_Maximum:
			if !isNumber(k.Maximum) {
				return nil, status.Errorf(codes.InvalidArgument, "maximum operand for %s must be an integer or a double", ft.GetFieldPath())
			}
		case *firestorepb.DocumentTransform_FieldTransform_Minimum:
			if !isNumber(k.Minimum) {
				return nil, status.Errorf(codes.InvalidArgument, "minimum operand for %s must be an integer or a double", ft.GetFieldPath())
			}
		case *firestorepb.DocumentTransform_FieldTransform_AppendMissingElements:
			if err := validateValues(k.AppendMissingElements.GetValues(), 0); err != nil {
				return nil, err
			}
		case *firestorepb.DocumentTransform_FieldTransform_RemoveAllFromArray:
			if err := validateValues(k.RemoveAllFromArray.GetValues(), 0); err != nil {
				return nil, err
			}
		default:
			return nil, status.Errorf(codes.InvalidArgument, "field transform for %s has no operation", ft.GetFieldPath())
		}
		out = append(out, parsedTransform{segs: segs, ft: ft})
	}
	return out, nil
}

// apply computes the transformed value from base (nil: field missing).
// reqTime is the commit's REQUEST_TIME.
func (t parsedTransform) apply(base *firestorepb.Value, reqTime time.Time) (val, result *firestorepb.Value) {
	switch k := t.ft.GetTransformType().(type) {
	case *firestorepb.DocumentTransform_FieldTransform_SetToServerValue:
		v := &firestorepb.Value{ValueType: &firestorepb.Value_TimestampValue{TimestampValue: timestamppb.New(reqTime)}}
		return v, v
	case *firestorepb.DocumentTransform_FieldTransform_Increment:
		v := increment(base, k.Increment)
		return v, v
	case *firestorepb.DocumentTransform_FieldTransform_Maximum:
		v := extremum(base, k.Maximum, 1)
		return v, v
	case *firestorepb.DocumentTransform_FieldTransform_Minimum:
		v := extremum(base, k.Minimum, -1)
		return v, v
	case *firestorepb.DocumentTransform_FieldTransform_AppendMissingElements:
		cur := arrayOf(base)
		for _, e := range k.AppendMissingElements.GetValues() {
			if !containsEqual(cur, e) {
				cur = append(cur, proto.Clone(e).(*firestorepb.Value))
			}
		}
		return arrayValue(cur), nullValue()
	case *firestorepb.DocumentTransform_FieldTransform_RemoveAllFromArray:
		var kept []*firestorepb.Value
		for _, e := range arrayOf(base) {
			if !containsEqual(k.RemoveAllFromArray.GetValues(), e) {
				kept = append(kept, e)
			}
		}
		return arrayValue(kept), nullValue()
	}
	panic("unreachable: transform validated by parseTransforms")
}

func isNumber(v *firestorepb.Value) bool {
	switch v.GetValueType().(type) {
	case *firestorepb.Value_IntegerValue, *firestorepb.Value_DoubleValue:
		return true
	}
	return false
}

func asDouble(v *firestorepb.Value) float64 {
	if i, ok := v.GetValueType().(*firestorepb.Value_IntegerValue); ok {
		return float64(i.IntegerValue)
	}
	return v.GetDoubleValue()
}

func intValue(i int64) *firestorepb.Value {
	return &firestorepb.Value{ValueType: &firestorepb.Value_IntegerValue{IntegerValue: i}}
}

func doubleValue(f float64) *firestorepb.Value {
	return &firestorepb.Value{ValueType: &firestorepb.Value_DoubleValue{DoubleValue: f}}
}

func nullValue() *firestorepb.Value {
	return &firestorepb.Value{ValueType: &firestorepb.Value_NullValue{NullValue: structpb.NullValue_NULL_VALUE}}
}

func arrayValue(vs []*firestorepb.Value) *firestorepb.Value {
	return &firestorepb.Value{ValueType: &firestorepb.Value_ArrayValue{ArrayValue: &firestorepb.ArrayValue{Values: vs}}}
}

// increment: int+int stays an int, saturating at the int64 bounds; a
// double on either side makes a double; a missing or non-numeric field
// becomes the operand.
func increment(base, op *firestorepb.Value) *firestorepb.Value {
	if !isNumber(base) {
		return proto.Clone(op).(*firestorepb.Value)
	}
	bi, bInt := base.GetValueType().(*firestorepb.Value_IntegerValue)
	oi, oInt := op.GetValueType().(*firestorepb.Value_IntegerValue)
	if bInt && oInt {
		a, b := bi.IntegerValue, oi.IntegerValue
		s := a + b
		switch {
		case a > 0 && b > 0 && s < 0:
			s = math.MaxInt64
		case a < 0 && b < 0 && s >= 0:
			s = math.MinInt64
		}
		return intValue(s)
	}
	return doubleValue(asDouble(base) + asDouble(op))
}

// extremum implements maximum (sign 1) and minimum (sign -1): a missing
// or non-numeric field becomes the operand; NaN wins; when the operands
// are numerically equal (3 and 3.0, 0 and -0.0) the stored value stays;
// otherwise the larger (smaller) operand is taken with its own type.
func extremum(base, op *firestorepb.Value, sign int) *firestorepb.Value {
	if !isNumber(base) {
		return proto.Clone(op).(*firestorepb.Value)
	}
	if isNaNValue(base) {
		return proto.Clone(base).(*firestorepb.Value)
	}
	if isNaNValue(op) {
		return proto.Clone(op).(*firestorepb.Value)
	}
	c := compareValues(op, base) * sign
	if c > 0 {
		return proto.Clone(op).(*firestorepb.Value)
	}
	return proto.Clone(base).(*firestorepb.Value)
}

func isNaNValue(v *firestorepb.Value) bool {
	d, ok := v.GetValueType().(*firestorepb.Value_DoubleValue)
	return ok && math.IsNaN(d.DoubleValue)
}

// arrayOf returns a copy of base's elements, or none if base is not an
// array (array transforms first turn a non-array field into []).
func arrayOf(base *firestorepb.Value) []*firestorepb.Value {
	a, ok := base.GetValueType().(*firestorepb.Value_ArrayValue)
	if !ok {
		return nil
	}
	return append([]*firestorepb.Value(nil), a.ArrayValue.GetValues()...)
}

// containsEqual reports whether vs holds a value equal to v under
// Firestore equality (3 == 3.0, NaN == NaN).
func containsEqual(vs []*firestorepb.Value, v *firestorepb.Value) bool {
	for _, e := range vs {
		if valuesEqual(e, v) {
			return true
		}
	}
	return false
}
