package firestore

import (
	"math"
	"strings"
	"time"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
)

// How a query uses a single-field index (index.go; __name__ counts as a
// field). The plan picks one field, the driver: one with an equality filter if any (preferring the
// first order-by field), else the first order-by field when the query has
// a limit, else a field with a range filter. The index of that field gives
// the documents whose value lies within the bounds the filters (and, on the
// first order-by field, the cursors) set; for the first order-by field
// with a limit, it is read in query order and reading stops once the
// window is full and the last value's ties are in. The candidates then go
// through queryPlan.execute like a scan's, so the index only has to
// return a superset of the results: bounds are inclusive and coarse
// (`a > 5` reads from 5 to the last number), the plan does the rest.
// Everything else (OR at the top, in, not-in, array-contains(-any), a
// find_nearest stage, reads in the past) scans the collection.

// keyPred is a predicate on index keys that is false then true along the
// index order (a lower bound) or true then false (an upper bound).
type keyPred func(*firestorepb.Value) bool

// indexDriver is the index read a plan asks for.
type indexDriver struct {
	path         []string
	lower, upper []keyPred
	// stream: path is the first order-by field and the query has a limit:
	// read in query order (desc: backwards) and stop after need accepted
	// documents and their ties.
	stream bool
	desc   bool
	need   int
}

// fieldBounds collects the bounds that AND-ed filters put on one field.
type fieldBounds struct {
	path         []string
	lower, upper []keyPred
	equality     bool
}

func atLeast(x *firestorepb.Value) keyPred {
	return func(v *firestorepb.Value) bool { return compareValues(v, x) >= 0 }
}

func atMost(x *firestorepb.Value) keyPred {
	return func(v *firestorepb.Value) bool { return compareValues(v, x) <= 0 }
}

// rankAtLeast and rankAtMost bound a range filter to its operand's type.
func rankAtLeast(r int) keyPred { return func(v *firestorepb.Value) bool { return typeOrder(v) >= r } }
func rankAtMost(r int) keyPred  { return func(v *firestorepb.Value) bool { return typeOrder(v) <= r } }

var vNaNValue = &firestorepb.Value{ValueType: &firestorepb.Value_DoubleValue{DoubleValue: math.NaN()}}

// conjuncts returns the filters AND-ed at the top of the tree.
func conjuncts(n *filterNode, out []*filterNode) []*filterNode {
	if n == nil {
		return out
	}
	if n.kind == filterAnd {
		for _, c := range n.children {
			out = conjuncts(c, out)
		}
		return out
	}
	return append(out, n)
}

// indexDriver returns the index read for p, or nil when the scan is as good.
func (p *queryPlan) indexDriver() *indexDriver {
	if p.nearest != nil {
		return nil
	}
	var fields []*fieldBounds
	byPath := map[string]*fieldBounds{}
	boundsOf := func(path []string) *fieldBounds {
		k := formatFieldPath(path)
		if b := byPath[k]; b != nil {
			return b
		}
		b := &fieldBounds{path: path}
		byPath[k] = b
		fields = append(fields, b)
		return b
	}
	// A nil path is __name__ (its filters compare references).
	for _, c := range conjuncts(p.where, nil) {
		switch c.kind {
		case filterField:
			switch c.fieldOp {
			case firestorepb.StructuredQuery_FieldFilter_EQUAL:
				b := boundsOf(c.path)
				b.lower = append(b.lower, atLeast(c.value))
				b.upper = append(b.upper, atMost(c.value))
				b.equality = true
			case firestorepb.StructuredQuery_FieldFilter_GREATER_THAN, firestorepb.StructuredQuery_FieldFilter_GREATER_THAN_OR_EQUAL:
				b := boundsOf(c.path)
				b.lower = append(b.lower, atLeast(c.value))
				b.upper = append(b.upper, rankAtMost(typeOrder(c.value)))
			case firestorepb.StructuredQuery_FieldFilter_LESS_THAN, firestorepb.StructuredQuery_FieldFilter_LESS_THAN_OR_EQUAL:
				b := boundsOf(c.path)
				b.lower = append(b.lower, rankAtLeast(typeOrder(c.value)))
				b.upper = append(b.upper, atMost(c.value))
			}
		case filterUnary:
			var x *firestorepb.Value
			switch c.unaryOp {
			case firestorepb.StructuredQuery_UnaryFilter_IS_NULL:
				x = vNullValue
			case firestorepb.StructuredQuery_UnaryFilter_IS_NAN:
				x = vNaNValue
			default:
				continue
			}
			b := boundsOf(c.path)
			b.lower = append(b.lower, atLeast(x))
			b.upper = append(b.upper, atMost(x))
			b.equality = true
		}
	}
	var first *planOrder
	if len(p.orders) > 0 {
		first = &p.orders[0]
	}
	var pick *fieldBounds
	if first != nil {
		if b := byPath[formatFieldPath(first.path)]; b != nil && b.equality {
			pick = b
		}
	}
	for _, b := range fields {
		if pick == nil && b.equality {
			pick = b
		}
	}
	if pick == nil && first != nil && p.limit >= 0 {
		pick = boundsOf(first.path)
	}
	if pick == nil && len(fields) > 0 {
		pick = fields[0]
	}
	if pick == nil {
		return nil
	}
	d := &indexDriver{path: pick.path, lower: pick.lower, upper: pick.upper}
	if first != nil && formatFieldPath(first.path) == formatFieldPath(pick.path) {
		// Cursors bound the first order-by field (inclusively: the plan
		// applies before/after).
		d.desc = first.desc
		if p.startAt != nil {
			if d.desc {
				d.upper = append(d.upper, atMost(p.startAt.values[0]))
			} else {
				d.lower = append(d.lower, atLeast(p.startAt.values[0]))
			}
		}
		if p.endAt != nil {
			if d.desc {
				d.lower = append(d.lower, atLeast(p.endAt.values[0]))
			} else {
				d.upper = append(d.upper, atMost(p.endAt.values[0]))
			}
		}
		if p.limit >= 0 {
			d.stream, d.need = true, p.offset+p.limit
		}
	}
	return d
}

// accepts reports whether d is one of p's results before offset and
// limit: the per-document checks of execute.
func (p *queryPlan) accepts(d *firestorepb.Document) bool {
	if !p.inScope(d.GetName()) || (p.where != nil && !p.where.matches(d)) {
		return false
	}
	keys, ok := p.sortKeys(d)
	if !ok {
		return false
	}
	return (p.startAt == nil || p.afterStart(keys)) && (p.endAt == nil || p.beforeEnd(keys))
}

// scope returns the index scope p reads.
func (p *queryPlan) scope() string {
	if !p.allDescendants {
		return collectionScope(p.parent + "/" + p.collectionID)
	}
	db := p.parent
	if i := strings.Index(db, "/documents"); i >= 0 {
		db = db[:i]
	}
	return groupScope(db, p.collectionID)
}

// queryCandidates returns documents among which p's results are, as of t:
// from an index when p can use one and t is not older than the last
// change, else every document of the collection (scanCollectionAt).
// Callers run p.execute on them and must not modify them.
func (st *store) queryCandidates(p *queryPlan, t time.Time) ([]*firestorepb.Document, error) {
	// A kindless query (no collection id: every document under parent, as
	// recursiveDelete lists) has no index; it scans.
	if p.collectionID != "" {
		if docs, ok := st.indexCandidates(p, t); ok {
			return docs, nil
		}
	}
	return st.scanCollectionAt(p.parent, p.collectionID, p.allDescendants, t)
}

// indexCandidates is queryCandidates' index path; ok is false when p or t
// cannot use one.
func (st *store) indexCandidates(p *queryPlan, t time.Time) (docs []*firestorepb.Document, ok bool) {
	d := p.indexDriver()
	if d == nil {
		return nil, false
	}
	scope := p.scope()
	key := indexKey{scope: scope, field: formatFieldPath(d.path)}
	st.mu.RLock()
	fi := st.idx.byKey[key]
	if fi == nil {
		st.mu.RUnlock()
		st.mu.Lock()
		built := st.ensureIndexLocked(scope, d.path)
		st.mu.Unlock()
		if built == nil {
			return nil, false
		}
		st.mu.RLock()
		fi = st.idx.byKey[key]
	}
	defer st.mu.RUnlock()
	if fi == nil || (!t.IsZero() && st.idx.lastChange.After(t)) {
		return nil, false
	}
	return d.read(&fi.ord, p), true
}

func allOf(ps []keyPred, v *firestorepb.Value) bool {
	for _, f := range ps {
		if !f(v) {
			return false
		}
	}
	return true
}

// read returns the candidates of ix within d's bounds.
func (d *indexDriver) read(ix *orderedIndex, p *queryPlan) []*firestorepb.Document {
	var out []*firestorepb.Document
	if d.stream && d.need == 0 {
		return out
	}
	var pos idxPos
	step := ix.next
	inside := func(v *firestorepb.Value) bool { return allOf(d.upper, v) }
	if d.stream && d.desc {
		// Backwards from the last entry within the upper bounds.
		pos = ix.prev(ix.seek(func(v *firestorepb.Value) bool { return !allOf(d.upper, v) }))
		step = ix.prev
		inside = func(v *firestorepb.Value) bool { return allOf(d.lower, v) }
	} else {
		pos = ix.seek(func(v *firestorepb.Value) bool { return allOf(d.lower, v) })
	}
	accepted := 0
	var last *firestorepb.Value // the key of the need-th accepted document
	for ; ix.valid(pos); pos = step(pos) {
		e := ix.at(pos)
		if !inside(e.key) {
			break
		}
		if last != nil && compareValues(e.key, last) != 0 {
			break // the window and the ties of its last value are in
		}
		out = append(out, e.doc)
		if d.stream && last == nil && p.accepts(e.doc) {
			if accepted++; accepted == d.need {
				last = e.key
			}
		}
	}
	return out
}
