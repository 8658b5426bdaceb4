package firestore

import (
	"slices"
	"sort"
	"strings"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// This file validates a StructuredQuery and compiles it into a query plan;
// query_eval.go runs the plan over candidate documents. The engine is pure:
// it never touches the store, so it is unit-tested on pb values.

// Limits production enforces on disjunctive operands.
const (
	maxInValues    = 30 // in, array-contains-any
	maxNotInValues = 10 // not-in
)

// queryPlan is a validated StructuredQuery.
type queryPlan struct {
	parent         string // "projects/P/databases/D/documents[/coll/doc...]"
	collectionID   string
	allDescendants bool
	where          *filterNode // nil: no filter
	// orders is the effective ordering: explicit orders, then inequality
	// fields not yet ordered, then __name__ (always last).
	orders  []planOrder
	startAt *planCursor
	endAt   *planCursor
	offset  int
	limit   int // -1: no limit
	// projection lists the selected field paths; nil means every field.
	// A projection of only __name__ is non-nil and empty.
	projection [][]string
	// nearest is the find_nearest stage, or nil.
	nearest *nearestPlan
}

type planOrder struct {
	path   []string // nil for __name__
	desc   bool
	isName bool
}

type planCursor struct {
	values []*firestorepb.Value
	before bool
}

// filterKind tells a filterNode's evaluation rule.
type filterKind int

const (
	filterAnd filterKind = iota
	filterOr
	filterField
	filterUnary
)

type filterNode struct {
	kind     filterKind
	children []*filterNode // and/or

	// field and unary filters
	path    []string // parsed field path; nil when isName
	isName  bool     // the filter is on __name__
	fieldOp firestorepb.StructuredQuery_FieldFilter_Operator
	unaryOp firestorepb.StructuredQuery_UnaryFilter_Operator
	value   *firestorepb.Value
}

func invalidArg(format string, args ...any) error {
	return status.Errorf(codes.InvalidArgument, format, args...)
}

// isQueryParent reports whether parent names a database's document root
// or a document below it: "projects/P/databases/D/documents" followed by an
// even number of non-empty segments.
func isQueryParent(parent string) bool {
	segs := strings.Split(parent, "/")
	if len(segs) < 5 || segs[0] != "projects" || segs[2] != "databases" || segs[4] != "documents" {
		return false
	}
	for _, s := range segs {
		if s == "" {
			return false
		}
	}
	return (len(segs)-5)%2 == 0
}

// compileQuery validates q, run under parent, and returns its plan or an
// INVALID_ARGUMENT status.
func compileQuery(parent string, q *firestorepb.StructuredQuery) (*queryPlan, error) {
	if q == nil {
		return nil, invalidArg("missing structured_query")
	}
	if !isQueryParent(parent) {
		return nil, invalidArg("invalid parent %q", parent)
	}
	if len(q.GetFrom()) != 1 {
		return nil, invalidArg("a query must have exactly one collection selector in from, got %d", len(q.GetFrom()))
	}
	p := &queryPlan{
		parent:         parent,
		collectionID:   q.From[0].GetCollectionId(),
		allDescendants: q.From[0].GetAllDescendants(),
		limit:          -1,
	}
	// A kindless query (all descendants, no collection id) selects every
	// document below parent; the Admin SDKs' recursiveDelete lists with it.
	if (p.collectionID == "" && !p.allDescendants) || strings.Contains(p.collectionID, "/") {
		return nil, invalidArg("invalid collection id %q", p.collectionID)
	}
	if isReservedName(p.collectionID) {
		return nil, invalidArg("Collection id %q is invalid because it is reserved.", p.collectionID)
	}
	var err error
	if q.GetWhere() != nil {
		if p.where, err = compileFilter(q.Where, 0); err != nil {
			return nil, err
		}
	}
	if err := p.compileOrders(q.GetOrderBy()); err != nil {
		return nil, err
	}
	if p.startAt, err = p.compileCursor("start_at", q.GetStartAt()); err != nil {
		return nil, err
	}
	if p.endAt, err = p.compileCursor("end_at", q.GetEndAt()); err != nil {
		return nil, err
	}
	if q.GetOffset() < 0 {
		return nil, invalidArg("offset must be non-negative, got %d", q.GetOffset())
	}
	p.offset = int(q.GetOffset())
	if q.GetLimit() != nil {
		if q.GetLimit().GetValue() < 0 {
			return nil, invalidArg("limit must be non-negative, got %d", q.GetLimit().GetValue())
		}
		p.limit = int(q.GetLimit().GetValue())
	}
	if sel := q.GetSelect(); sel != nil {
		p.projection = [][]string{}
		for _, f := range sel.GetFields() {
			path := f.GetFieldPath()
			if path == "__name__" {
				continue
			}
			segs, err := parseFieldPath(path)
			if err != nil {
				return nil, invalidArg("select: %v", err)
			}
			if err := reservedPath(segs); err != nil {
				return nil, err
			}
			p.projection = append(p.projection, segs)
		}
		p.projection = dropCoveredPaths(p.projection)
	}
	if q.GetFindNearest() != nil {
		if err := compileNearest(p, q); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// maxFilterDepth bounds composite nesting so a hostile request cannot
// exhaust the stack.
const maxFilterDepth = 64

func compileFilter(f *firestorepb.StructuredQuery_Filter, depth int) (*filterNode, error) {
	if depth > maxFilterDepth {
		return nil, invalidArg("filter nested too deeply")
	}
	switch ft := f.GetFilterType().(type) {
	case *firestorepb.StructuredQuery_Filter_CompositeFilter:
		cf := ft.CompositeFilter
		n := &filterNode{}
		switch cf.GetOp() {
		case firestorepb.StructuredQuery_CompositeFilter_AND:
			n.kind = filterAnd
		case firestorepb.StructuredQuery_CompositeFilter_OR:
			n.kind = filterOr
		default:
			return nil, invalidArg("composite filter has unspecified operator")
		}
		if len(cf.GetFilters()) == 0 {
			return nil, invalidArg("composite filter must have at least one filter")
		}
		for _, c := range cf.GetFilters() {
			cn, err := compileFilter(c, depth+1)
			if err != nil {
				return nil, err
			}
			n.children = append(n.children, cn)
		}
		return n, nil
	case *firestorepb.StructuredQuery_Filter_FieldFilter:
		return compileFieldFilter(ft.FieldFilter)
	case *firestorepb.StructuredQuery_Filter_UnaryFilter:
		uf := ft.UnaryFilter
		n := &filterNode{kind: filterUnary, unaryOp: uf.GetOp()}
		switch uf.GetOp() {
		case firestorepb.StructuredQuery_UnaryFilter_IS_NULL, firestorepb.StructuredQuery_UnaryFilter_IS_NOT_NULL,
			firestorepb.StructuredQuery_UnaryFilter_IS_NAN, firestorepb.StructuredQuery_UnaryFilter_IS_NOT_NAN:
		default:
			return nil, invalidArg("unary filter has unspecified operator")
		}
		if err := n.setField(uf.GetField()); err != nil {
			return nil, err
		}
		return n, nil
	}
	return nil, invalidArg("empty filter")
}

func compileFieldFilter(ff *firestorepb.StructuredQuery_FieldFilter) (*filterNode, error) {
	n := &filterNode{kind: filterField, fieldOp: ff.GetOp(), value: ff.GetValue()}
	if err := n.setField(ff.GetField()); err != nil {
		return nil, err
	}
	if !isDataValue(n.value) {
		return nil, invalidArg("filter on %q has no value", ff.GetField().GetFieldPath())
	}
	op := ff.GetOp()
	switch op {
	case firestorepb.StructuredQuery_FieldFilter_LESS_THAN, firestorepb.StructuredQuery_FieldFilter_LESS_THAN_OR_EQUAL,
		firestorepb.StructuredQuery_FieldFilter_GREATER_THAN, firestorepb.StructuredQuery_FieldFilter_GREATER_THAN_OR_EQUAL,
		firestorepb.StructuredQuery_FieldFilter_EQUAL, firestorepb.StructuredQuery_FieldFilter_NOT_EQUAL,
		firestorepb.StructuredQuery_FieldFilter_ARRAY_CONTAINS:
		if n.isName && op != firestorepb.StructuredQuery_FieldFilter_ARRAY_CONTAINS && typeOrder(n.value) != rankReference {
			return nil, invalidArg("a filter on __name__ must compare with a reference value")
		}
		if n.isName && op == firestorepb.StructuredQuery_FieldFilter_ARRAY_CONTAINS {
			return nil, invalidArg("array-contains is not allowed on __name__")
		}
	case firestorepb.StructuredQuery_FieldFilter_IN, firestorepb.StructuredQuery_FieldFilter_NOT_IN,
		firestorepb.StructuredQuery_FieldFilter_ARRAY_CONTAINS_ANY:
		arr, ok := n.value.GetValueType().(*firestorepb.Value_ArrayValue)
		if !ok || len(arr.ArrayValue.GetValues()) == 0 {
			return nil, invalidArg("operator %v on %q needs a non-empty array value", op, ff.GetField().GetFieldPath())
		}
		max := maxInValues
		if op == firestorepb.StructuredQuery_FieldFilter_NOT_IN {
			max = maxNotInValues
		}
		if len(arr.ArrayValue.Values) > max {
			return nil, invalidArg("operator %v allows at most %d values, got %d", op, max, len(arr.ArrayValue.Values))
		}
		if n.isName {
			if op == firestorepb.StructuredQuery_FieldFilter_ARRAY_CONTAINS_ANY {
				return nil, invalidArg("array-contains-any is not allowed on __name__")
			}
			for _, v := range arr.ArrayValue.Values {
				if typeOrder(v) != rankReference {
					return nil, invalidArg("a filter on __name__ must compare with reference values")
				}
			}
		}
	default:
		return nil, invalidArg("field filter on %q has unspecified operator", ff.GetField().GetFieldPath())
	}
	return n, nil
}

func (n *filterNode) setField(ref *firestorepb.StructuredQuery_FieldReference) error {
	path := ref.GetFieldPath()
	if path == "__name__" {
		n.isName = true
		return nil
	}
	segs, err := parseFieldPath(path)
	if err != nil {
		return invalidArg("%v", err)
	}
	if err := reservedPath(segs); err != nil {
		return err
	}
	n.path = segs
	return nil
}

// isInequality reports whether n is a filter that makes production order
// by its field implicitly (and so requires the field to exist).
func (n *filterNode) isInequality() bool {
	switch n.kind {
	case filterField:
		switch n.fieldOp {
		case firestorepb.StructuredQuery_FieldFilter_LESS_THAN, firestorepb.StructuredQuery_FieldFilter_LESS_THAN_OR_EQUAL,
			firestorepb.StructuredQuery_FieldFilter_GREATER_THAN, firestorepb.StructuredQuery_FieldFilter_GREATER_THAN_OR_EQUAL,
			firestorepb.StructuredQuery_FieldFilter_NOT_EQUAL, firestorepb.StructuredQuery_FieldFilter_NOT_IN:
			return true
		}
	case filterUnary:
		// IS_NOT_NULL and IS_NOT_NAN are != null and != NaN on the wire.
		return n.unaryOp == firestorepb.StructuredQuery_UnaryFilter_IS_NOT_NULL ||
			n.unaryOp == firestorepb.StructuredQuery_UnaryFilter_IS_NOT_NAN
	}
	return false
}

// inequalityPaths collects the distinct inequality fields of the filter
// tree (including inside OR), sorted by their canonical path string.
func (n *filterNode) inequalityPaths() [][]string {
	seen := map[string][]string{}
	var walk func(*filterNode)
	walk = func(n *filterNode) {
		if n.isInequality() {
			key := "__name__"
			if !n.isName {
				key = formatFieldPath(n.path)
			}
			seen[key] = n.path
		}
		for _, c := range n.children {
			walk(c)
		}
	}
	walk(n)
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([][]string, len(keys))
	for i, k := range keys {
		out[i] = seen[k]
	}
	return out
}

// compileOrders builds the effective ordering the way production (and the
// JS SDK's queryNormalizedOrderBy) does: explicit orders; then every
// inequality field not already ordered, lexicographically; then __name__.
// Implicit orders take the direction of the last explicit one.
func (p *queryPlan) compileOrders(orders []*firestorepb.StructuredQuery_Order) error {
	seen := map[string]bool{}
	desc := false
	for _, o := range orders {
		path := o.GetField().GetFieldPath()
		switch o.GetDirection() {
		case firestorepb.StructuredQuery_DESCENDING:
			desc = true
		case firestorepb.StructuredQuery_ASCENDING, firestorepb.StructuredQuery_DIRECTION_UNSPECIFIED:
			desc = false
		default:
			return invalidArg("invalid order direction %v", o.GetDirection())
		}
		po := planOrder{desc: desc}
		if path == "__name__" {
			po.isName = true
		} else {
			segs, err := parseFieldPath(path)
			if err != nil {
				return invalidArg("order_by: %v", err)
			}
			if err := reservedPath(segs); err != nil {
				return err
			}
			po.path = segs
			path = formatFieldPath(segs)
		}
		if seen[path] {
			return invalidArg("order_by lists %q twice", path)
		}
		seen[path] = true
		p.orders = append(p.orders, po)
	}
	if seen["__name__"] {
		return nil
	}
	if p.where != nil {
		for _, segs := range p.where.inequalityPaths() {
			if segs == nil || seen[formatFieldPath(segs)] {
				continue
			}
			p.orders = append(p.orders, planOrder{path: segs, desc: desc})
		}
	}
	p.orders = append(p.orders, planOrder{isName: true, desc: desc})
	return nil
}

func (p *queryPlan) compileCursor(which string, c *firestorepb.Cursor) (*planCursor, error) {
	if c == nil {
		return nil, nil
	}
	if len(c.GetValues()) == 0 {
		return nil, invalidArg("%s cursor has no values", which)
	}
	if len(c.Values) > len(p.orders) {
		return nil, invalidArg("%s cursor has %d values but the query orders by %d fields", which, len(c.Values), len(p.orders))
	}
	for i, v := range c.Values {
		if !isDataValue(v) {
			return nil, invalidArg("%s cursor value %d is empty", which, i)
		}
		if p.orders[i].isName {
			if typeOrder(v) != rankReference {
				return nil, invalidArg("%s cursor value for __name__ must be a document reference", which)
			}
		}
	}
	return &planCursor{values: c.Values, before: c.GetBefore()}, nil
}

// dropCoveredPaths removes every path that equals or lies below another
// path of the list ("a.b" when "a" is selected), so a projection never
// writes into a map it copied from the stored document.
func dropCoveredPaths(paths [][]string) [][]string {
	out := paths[:0:0]
	for i, p := range paths {
		covered := false
		for j, q := range paths {
			if i != j && len(q) <= len(p) && slices.Equal(q, p[:len(q)]) && (len(q) < len(p) || j < i) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, p)
		}
	}
	return out
}
