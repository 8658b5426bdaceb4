package firestore

import (
	"strings"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"github.com/roomgate/roomgate/emulator/rules"
)

// This file converts a StructuredQuery into the rules engine's Query, so
// that a list (query, aggregation, ListDocuments) is judged the way
// Firestore judges it: on the query's constraints, not on the documents
// it happens to return.

// rulesParent turns a query parent ("projects/P/databases/D/documents[/c/d]")
// into the rules path form ("/databases/D/documents[/c/d]").
func rulesParent(parent string) string {
	if i := strings.Index(parent, "/databases/"); strings.HasPrefix(parent, "projects/") && i >= 0 {
		return parent[i:]
	}
	return parent
}

// toRulesQuery builds the rules.Query for q run under parent. It reflects
// the request as the client sent it: explicit order-bys only (implicit
// orders add no constraint a rule could rely on), the request's limit and
// offset. Field paths are in the wire syntax ("a.b", quoted segments kept
// quoted); "__name__" filters carry rules.Reference values. q must have
// passed compileQuery.
func toRulesQuery(parent string, q *firestorepb.StructuredQuery) *rules.Query {
	rq := &rules.Query{
		Parent:         rulesParent(parent),
		CollectionID:   q.GetFrom()[0].GetCollectionId(),
		AllDescendants: q.GetFrom()[0].GetAllDescendants(),
		Offset:         int64(q.GetOffset()),
	}
	if q.GetWhere() != nil {
		f := toRulesFilter(q.Where)
		rq.Where = &f
	}
	for _, o := range q.GetOrderBy() {
		rq.OrderBy = append(rq.OrderBy, rules.Order{
			Field:      canonicalFieldPath(o.GetField().GetFieldPath()),
			Descending: o.GetDirection() == firestorepb.StructuredQuery_DESCENDING,
		})
	}
	if l := q.GetLimit(); l != nil {
		n := int64(l.GetValue())
		rq.Limit = &n
	}
	return rq
}

// canonicalFieldPath normalises a valid wire field path (dropping quotes
// that are not needed, so "`a`.b" and "a.b" read alike).
func canonicalFieldPath(p string) string {
	if p == "__name__" {
		return p
	}
	segs, err := parseFieldPath(p)
	if err != nil {
		return p
	}
	return formatFieldPath(segs)
}

var fieldOps = map[firestorepb.StructuredQuery_FieldFilter_Operator]rules.FilterOp{
	firestorepb.StructuredQuery_FieldFilter_LESS_THAN:             rules.OpLess,
	firestorepb.StructuredQuery_FieldFilter_LESS_THAN_OR_EQUAL:    rules.OpLessEqual,
	firestorepb.StructuredQuery_FieldFilter_GREATER_THAN:          rules.OpGreater,
	firestorepb.StructuredQuery_FieldFilter_GREATER_THAN_OR_EQUAL: rules.OpGreaterEqual,
	firestorepb.StructuredQuery_FieldFilter_EQUAL:                 rules.OpEqual,
	firestorepb.StructuredQuery_FieldFilter_NOT_EQUAL:             rules.OpNotEqual,
	firestorepb.StructuredQuery_FieldFilter_ARRAY_CONTAINS:        rules.OpArrayContains,
	firestorepb.StructuredQuery_FieldFilter_IN:                    rules.OpIn,
	firestorepb.StructuredQuery_FieldFilter_ARRAY_CONTAINS_ANY:    rules.OpArrayContainsAny,
	firestorepb.StructuredQuery_FieldFilter_NOT_IN:                rules.OpNotIn,
}

var unaryOps = map[firestorepb.StructuredQuery_UnaryFilter_Operator]rules.FilterOp{
	firestorepb.StructuredQuery_UnaryFilter_IS_NULL:     rules.OpIsNull,
	firestorepb.StructuredQuery_UnaryFilter_IS_NOT_NULL: rules.OpIsNotNull,
	firestorepb.StructuredQuery_UnaryFilter_IS_NAN:      rules.OpIsNaN,
	firestorepb.StructuredQuery_UnaryFilter_IS_NOT_NAN:  rules.OpIsNotNaN,
}

// toRulesFilter converts a validated filter tree. A composite with one
// child stays a composite: the engine treats and/or of one as that child.
func toRulesFilter(f *firestorepb.StructuredQuery_Filter) rules.Filter {
	switch ft := f.GetFilterType().(type) {
	case *firestorepb.StructuredQuery_Filter_CompositeFilter:
		out := rules.Filter{Op: rules.FilterAnd}
		if ft.CompositeFilter.GetOp() == firestorepb.StructuredQuery_CompositeFilter_OR {
			out.Op = rules.FilterOr
		}
		for _, c := range ft.CompositeFilter.GetFilters() {
			out.Filters = append(out.Filters, toRulesFilter(c))
		}
		return out
	case *firestorepb.StructuredQuery_Filter_FieldFilter:
		ff := ft.FieldFilter
		return rules.Filter{
			Op:    fieldOps[ff.GetOp()],
			Field: canonicalFieldPath(ff.GetField().GetFieldPath()),
			Value: toRulesValue(ff.GetValue()),
		}
	case *firestorepb.StructuredQuery_Filter_UnaryFilter:
		uf := ft.UnaryFilter
		return rules.Filter{Op: unaryOps[uf.GetOp()], Field: canonicalFieldPath(uf.GetField().GetFieldPath())}
	}
	return rules.Filter{} // unreachable: compileQuery rejects empty filters
}
