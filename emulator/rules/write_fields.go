package rules

import (
	"strings"
	"unicode/utf16"
)

// This file builds request.writeFields, the legacy list of the fields a
// write names, as Google's emulator binds it under rules_version 1 and 2
// (observed, for create, update and delete; a get or list has no
// request.writeFields, and reading it is an error):
//   - null for a write with neither update mask nor field transforms: a
//     create, a set without merge, a delete;
//   - otherwise the transformed field paths in request order (repeats
//     kept), then the update mask's paths. The mask is a tree of segments
//     in which a path absorbs the longer paths below it ([m, m.p] is
//     [m]) and repeats collapse; it is listed depth first, each level in
//     the iteration order of a java.util.HashMap keyed by the segment
//     (bucket of the spread String hash, then insertion order), which is
//     what Google's emulator shows. A path is its segments joined by '.',
//     with '\' and '.' inside a segment escaped by '\' (a.`b.c` is
//     "a.b\.c").
//   - Writes of one document in a batch are judged as one (batch.go): the
//     transforms of all of them, and the union of their masks if every
//     one has a mask (any write without one makes the mask absent).
//
// A HashMap bucket holding eight or more keys at a capacity of 64 or more
// becomes a tree whose order differs from insertion order; such masks
// (hundreds of colliding fields) are listed in insertion order here.

// writeFieldsValue returns request.writeFields for req, built in ar.
func writeFieldsValue(req *Request) Value {
	if !req.HasUpdateMask && len(req.Transforms) == 0 {
		return theNull
	}
	out := make(listV, 0, len(req.Transforms)+len(req.UpdateMask))
	for _, t := range req.Transforms {
		out = append(out, stringV(fieldPathText(t)))
	}
	if req.HasUpdateMask {
		root := &maskNode{}
		for _, p := range req.UpdateMask {
			root.add(p)
		}
		root.list(nil, func(p []string) { out = append(out, stringV(fieldPathText(p))) })
	}
	return out
}

// maskNode is one level of the mask tree.
type maskNode struct {
	leaf bool // the path ending here is in the mask: it covers all below
	keys []string
	kids map[string]*maskNode
}

// add inserts the path segs below n.
func (n *maskNode) add(segs []string) {
	for _, s := range segs {
		if n.leaf {
			return // a shorter path already covers segs
		}
		k := n.kids[s]
		if k == nil {
			if n.kids == nil {
				n.kids = map[string]*maskNode{}
			}
			k = &maskNode{}
			n.kids[s] = k
			n.keys = append(n.keys, s)
		}
		n = k
	}
	if len(segs) > 0 {
		n.leaf, n.keys, n.kids = true, nil, nil
	}
}

// list calls emit with every path of the tree below n, depth first in
// Java HashMap order.
func (n *maskNode) list(prefix []string, emit func([]string)) {
	if n.leaf {
		emit(prefix)
		return
	}
	for _, k := range javaHashOrder(n.keys) {
		n.kids[k].list(append(prefix[:len(prefix):len(prefix)], k), emit)
	}
}

// javaHashOrder returns keys (distinct, in insertion order) in the order a
// java.util.HashMap with default settings iterates them: by bucket, the
// spread String.hashCode masked by the table size (16, doubled while the
// map is fuller than 3/4), then by insertion.
func javaHashOrder(keys []string) []string {
	size := 16
	for len(keys)*4 > size*3 {
		size *= 2
	}
	buckets := make([][]string, size)
	for _, k := range keys {
		h := javaStringHash(k)
		b := (h ^ h>>16) & uint32(size-1)
		buckets[b] = append(buckets[b], k)
	}
	out := make([]string, 0, len(keys))
	for _, b := range buckets {
		out = append(out, b...)
	}
	return out
}

// javaStringHash is Java's String.hashCode: s*31 over UTF-16 code units.
func javaStringHash(s string) uint32 {
	var h uint32
	for _, r := range s {
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			h = h*31 + uint32(r1)
			h = h*31 + uint32(r2)
			continue
		}
		h = h*31 + uint32(r)
	}
	return h
}

// fieldPathText joins segs with '.', escaping '\' and '.' with '\'.
func fieldPathText(segs []string) string {
	var b strings.Builder
	for i, s := range segs {
		if i > 0 {
			b.WriteByte('.')
		}
		for _, c := range []byte(s) {
			if c == '\\' || c == '.' {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}
