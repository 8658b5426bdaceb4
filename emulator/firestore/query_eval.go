package firestore

import (
	"slices"
	"strings"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
)

// This file evaluates a queryPlan over candidate documents: scope, filter,
// order, cursors, offset, limit and projection.

// inScope reports whether the document name belongs to the queried
// collection: a direct child of parent/collectionID, or for a collection
// group any document below parent whose collection id matches (any id for
// a kindless query).
func (p *queryPlan) inScope(name string) bool {
	if p.allDescendants {
		rest, ok := strings.CutPrefix(name, p.parent+"/")
		if !ok {
			return false
		}
		segs := strings.Split(rest, "/")
		return len(segs)%2 == 0 && (p.collectionID == "" || segs[len(segs)-2] == p.collectionID)
	}
	rest, ok := strings.CutPrefix(name, p.parent+"/"+p.collectionID+"/")
	return ok && rest != "" && !strings.Contains(rest, "/")
}

// match is a document that passed the filter, with its sort key.
type match struct {
	doc  *firestorepb.Document
	keys []*firestorepb.Value // one per plan order
}

// execute returns the documents the query selects from docs, in query
// order, after cursors, offset and limit, without projection.
func (p *queryPlan) execute(docs []*firestorepb.Document) []*firestorepb.Document {
	if p.nearest != nil {
		inScope := make([]*firestorepb.Document, 0, len(docs))
		for _, d := range docs {
			if d != nil && p.inScope(d.GetName()) {
				inScope = append(inScope, d)
			}
		}
		return p.executeNearest(inScope)
	}
	ms := make([]match, 0, len(docs))
	for _, d := range docs {
		if d == nil || !p.inScope(d.GetName()) {
			continue
		}
		if p.where != nil && !p.where.matches(d) {
			continue
		}
		keys, ok := p.sortKeys(d)
		if !ok {
			continue
		}
		ms = append(ms, match{doc: d, keys: keys})
	}
	slices.SortFunc(ms, func(a, b match) int { return p.compareKeys(a.keys, b.keys) })

	out := make([]*firestorepb.Document, 0, len(ms))
	skipped := 0
	for _, m := range ms {
		if p.startAt != nil && !p.afterStart(m.keys) {
			continue
		}
		if p.endAt != nil && !p.beforeEnd(m.keys) {
			break // sorted: every later document is past the end too
		}
		if skipped < p.offset {
			skipped++
			continue
		}
		if p.limit >= 0 && len(out) >= p.limit {
			break
		}
		out = append(out, m.doc)
	}
	return out
}

// sortKeys extracts the order-by values of d; ok is false when d lacks an
// ordered field, which excludes it from the results.
func (p *queryPlan) sortKeys(d *firestorepb.Document) ([]*firestorepb.Value, bool) {
	keys := make([]*firestorepb.Value, len(p.orders))
	for i, o := range p.orders {
		if o.isName {
			keys[i] = nameValue(d)
			continue
		}
		v, ok := getFieldSegs(d.GetFields(), o.path)
		if !ok {
			return nil, false
		}
		keys[i] = v
	}
	return keys, true
}

func nameValue(d *firestorepb.Document) *firestorepb.Value {
	return &firestorepb.Value{ValueType: &firestorepb.Value_ReferenceValue{ReferenceValue: d.GetName()}}
}

// compareKeys compares two key prefixes of equal length under the plan's
// directions.
func (p *queryPlan) compareKeys(a, b []*firestorepb.Value) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		c := compareValues(a[i], b[i])
		if p.orders[i].desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// afterStart reports whether a document with keys lies at or after the
// start cursor: before=true (startAt) includes equal positions,
// before=false (startAfter) excludes them.
func (p *queryPlan) afterStart(keys []*firestorepb.Value) bool {
	c := p.compareKeys(p.startAt.values, keys[:len(p.startAt.values)])
	if p.startAt.before {
		return c <= 0
	}
	return c < 0
}

// beforeEnd reports whether a document lies before the end cursor:
// before=true (endBefore) excludes equal positions, before=false (endAt)
// includes them.
func (p *queryPlan) beforeEnd(keys []*firestorepb.Value) bool {
	c := p.compareKeys(p.endAt.values, keys[:len(p.endAt.values)])
	if p.endAt.before {
		return c > 0
	}
	return c >= 0
}

// project applies the select clause, returning d itself when there is
// none. Timestamps and name are kept.
func (p *queryPlan) project(d *firestorepb.Document) *firestorepb.Document {
	if p.projection == nil {
		return d
	}
	out := &firestorepb.Document{Name: d.Name, CreateTime: d.CreateTime, UpdateTime: d.UpdateTime}
	for _, segs := range p.projection {
		v, ok := getFieldSegs(d.GetFields(), segs)
		if !ok {
			continue
		}
		if out.Fields == nil {
			out.Fields = map[string]*firestorepb.Value{}
		}
		putField(out.Fields, segs, v)
	}
	return out
}

// putField stores v at segs inside fields, creating intermediate maps; an
// intermediate non-map is replaced (only possible when a projection names
// both "a" and "a.b", where "a" already holds everything).
func putField(fields map[string]*firestorepb.Value, segs []string, v *firestorepb.Value) {
	for _, s := range segs[:len(segs)-1] {
		next, ok := fields[s].GetValueType().(*firestorepb.Value_MapValue)
		if !ok {
			next = &firestorepb.Value_MapValue{MapValue: &firestorepb.MapValue{Fields: map[string]*firestorepb.Value{}}}
			fields[s] = &firestorepb.Value{ValueType: next}
		} else if next.MapValue.Fields == nil {
			next.MapValue.Fields = map[string]*firestorepb.Value{}
		}
		fields = next.MapValue.Fields
	}
	fields[segs[len(segs)-1]] = v
}
