package firestore

import (
	"strings"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"github.com/roomgate/roomgate/emulator/rules"
)

// This file converts Firestore protobuf values into the plain Go values
// the rules engine reads (see emulator/rules/request.go).

// toRulesData converts a document's fields into rules data.
func toRulesData(fields map[string]*firestorepb.Value) map[string]any {
	out := make(map[string]any, len(fields))
	for k, v := range fields {
		out[k] = toRulesValue(v)
	}
	return out
}

// toRulesValue converts one value. A reference keeps only its path below
// the project ("/databases/D/documents/c/d"), as rules paths do.
func toRulesValue(v *firestorepb.Value) any {
	switch x := v.GetValueType().(type) {
	case *firestorepb.Value_NullValue:
		return nil
	case *firestorepb.Value_BooleanValue:
		return x.BooleanValue
	case *firestorepb.Value_IntegerValue:
		return x.IntegerValue
	case *firestorepb.Value_DoubleValue:
		return x.DoubleValue
	case *firestorepb.Value_TimestampValue:
		return x.TimestampValue.AsTime()
	case *firestorepb.Value_StringValue:
		return x.StringValue
	case *firestorepb.Value_BytesValue:
		return x.BytesValue
	case *firestorepb.Value_ReferenceValue:
		return rules.Reference(referencePath(x.ReferenceValue))
	case *firestorepb.Value_GeoPointValue:
		return rules.LatLng{Lat: x.GeoPointValue.GetLatitude(), Lng: x.GeoPointValue.GetLongitude()}
	case *firestorepb.Value_ArrayValue:
		vals := x.ArrayValue.GetValues()
		out := make([]any, len(vals))
		for i, e := range vals {
			out[i] = toRulesValue(e)
		}
		return out
	case *firestorepb.Value_MapValue:
		if isVector(x.MapValue) {
			return toRulesVector(v)
		}
		return toRulesData(x.MapValue.GetFields())
	}
	// An unset value is not valid data; the engine turns unknown types
	// into error values, which deny.
	return v
}

// toRulesVector converts a vector (rules see it as a type of its own,
// not as its stored map). One whose components are not all numbers
// cannot come from a client library; it is returned unconverted, which
// the engine reads as an error value, so rules reading that document deny.
func toRulesVector(v *firestorepb.Value) any {
	comps := vectorOf(v)
	if comps == nil && len(v.GetMapValue().GetFields()["value"].GetArrayValue().GetValues()) > 0 {
		return v
	}
	return rules.Vector(comps)
}

// referencePath strips "projects/P" from a reference value.
func referencePath(ref string) string {
	if strings.HasPrefix(ref, "projects/") {
		if i := strings.Index(ref, "/databases/"); i >= 0 {
			return ref[i:]
		}
	}
	return ref
}

// toRulesDoc converts a stored document (nil stays nil).
func toRulesDoc(d *firestorepb.Document, project string) *rules.Document {
	if d == nil {
		return nil
	}
	return &rules.Document{Path: "/" + strings.TrimPrefix(d.Name, "projects/"+project+"/"), Data: toRulesData(d.Fields)}
}
