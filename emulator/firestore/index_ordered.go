package firestore

import (
	"slices"
	"strings"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
)

// orderedIndex is a sorted sequence of (value, document) entries: the
// storage of one single-field index. It is a list of chunks of at most
// chunkMax entries, each sorted and all in order, so a seek is two binary
// searches (O(log n)) and an insert or delete moves at most chunkMax
// entries plus one chunk header per chunkMax documents: for the
// collection sizes an emulator holds (up to about a million documents)
// that is a few microseconds and does not grow noticeably with n.

const chunkMax = 512

// idxEntry is one indexed document: key is its value of the indexed field
// and doc the store's immutable document (see store.go).
type idxEntry struct {
	key *firestorepb.Value
	doc *firestorepb.Document
}

// compareEntries orders entries by key in Firestore's value order, then by
// document name (bytewise: any total order works, the query re-sorts).
func compareEntries(a, b idxEntry) int {
	if c := compareValues(a.key, b.key); c != 0 {
		return c
	}
	return strings.Compare(a.doc.GetName(), b.doc.GetName())
}

type orderedIndex struct {
	chunks [][]idxEntry
	n      int
}

// idxPos is a position in an orderedIndex: chunk ci, entry off. A position
// past the end has ci == len(chunks).
type idxPos struct{ ci, off int }

// chunkFor returns the chunk that holds e or should: the first whose last
// entry is not before e, or the last chunk.
func (ix *orderedIndex) chunkFor(e idxEntry) int {
	ci, _ := slices.BinarySearchFunc(ix.chunks, e, func(c []idxEntry, e idxEntry) int {
		return compareEntries(c[len(c)-1], e)
	})
	if ci == len(ix.chunks) && ci > 0 {
		ci--
	}
	return ci
}

func (ix *orderedIndex) insert(e idxEntry) {
	if len(ix.chunks) == 0 {
		ix.chunks = [][]idxEntry{{e}}
		ix.n = 1
		return
	}
	ci := ix.chunkFor(e)
	c := ix.chunks[ci]
	off, found := slices.BinarySearchFunc(c, e, compareEntries)
	if found {
		c[off] = e
		return
	}
	c = slices.Insert(c, off, e)
	ix.n++
	if len(c) <= chunkMax {
		ix.chunks[ci] = c
		return
	}
	// Split; copy the upper half so the two chunks do not share memory.
	half := len(c) / 2
	upper := append(make([]idxEntry, 0, chunkMax/2+1), c[half:]...)
	clear(c[half:])
	ix.chunks[ci] = c[:half]
	ix.chunks = slices.Insert(ix.chunks, ci+1, upper)
}

// remove deletes the entry equal to e (same key and name), if present.
func (ix *orderedIndex) remove(e idxEntry) {
	if len(ix.chunks) == 0 {
		return
	}
	ci := ix.chunkFor(e)
	c := ix.chunks[ci]
	off, found := slices.BinarySearchFunc(c, e, compareEntries)
	if !found {
		return
	}
	c = slices.Delete(c, off, off+1)
	ix.n--
	if len(c) == 0 {
		ix.chunks = slices.Delete(ix.chunks, ci, ci+1)
		return
	}
	ix.chunks[ci] = c
}

// seek returns the position of the first entry whose key satisfies atOrAfter,
// which must be false for a prefix of the index and true after it.
func (ix *orderedIndex) seek(atOrAfter func(*firestorepb.Value) bool) idxPos {
	ci, _ := slices.BinarySearchFunc(ix.chunks, 0, func(c []idxEntry, _ int) int {
		if atOrAfter(c[len(c)-1].key) {
			return 1
		}
		return -1
	})
	if ci == len(ix.chunks) {
		return idxPos{ci: ci}
	}
	off, _ := slices.BinarySearchFunc(ix.chunks[ci], 0, func(e idxEntry, _ int) int {
		if atOrAfter(e.key) {
			return 1
		}
		return -1
	})
	return idxPos{ci: ci, off: off}
}

func (ix *orderedIndex) valid(p idxPos) bool { return p.ci >= 0 && p.ci < len(ix.chunks) }

func (ix *orderedIndex) at(p idxPos) idxEntry { return ix.chunks[p.ci][p.off] }

func (ix *orderedIndex) next(p idxPos) idxPos {
	p.off++
	if p.off == len(ix.chunks[p.ci]) {
		p.ci, p.off = p.ci+1, 0
	}
	return p
}

// prev returns the position before p (p may be past the end); before the
// first entry it returns ci == -1.
func (ix *orderedIndex) prev(p idxPos) idxPos {
	p.off--
	for p.off < 0 {
		p.ci--
		if p.ci < 0 {
			return idxPos{ci: -1}
		}
		p.off = len(ix.chunks[p.ci]) - 1
	}
	return p
}

// build replaces the content with entries, which it sorts.
func (ix *orderedIndex) build(entries []idxEntry) {
	slices.SortFunc(entries, compareEntries)
	ix.chunks, ix.n = nil, len(entries)
	for len(entries) > 0 {
		k := min(len(entries), chunkMax/2)
		ix.chunks = append(ix.chunks, append(make([]idxEntry, 0, k+1), entries[:k]...))
		entries = entries[k:]
	}
}
