package rules

// This file implements get(), exists(), getAfter() and existsAfter()
// and their accounting.
//
// Accounting decisions ([inf] where marked, each the safer choice):
//   - Every one of the four functions is charged, existsAfter included
//     (FC/FL name only exists, get and getAfter) [inf].
//   - A repeated call with the same function and the same path in the same
//     operation is answered from a cache and not charged again. exists(p)
//     and existsAfter(p) are charged once between them, and so are get(p)
//     and getAfter(p), even for the document the request writes; get(p)
//     and exists(p) (or getAfter(p)) are charged separately. All as Google's
//     emulator counts (measured with 12 calls over 6 documents against
//     the cap of 10).
//   - A call that would exceed the cap of the operation (10) or of the
//     batch (20) is not performed and yields an error value; the tracker
//     remembers it so the decision denies the whole operation, even when
//     another allow would have granted it.
//   - get()/getAfter() of a missing document is an error value (I2067,
//     I3908), not null; exists()/existsAfter() is false. getAfter() of a
//     document the request deletes is null, as Google's emulator answers.

import (
	"strings"
)

// batchBudget is the access-call budget shared across the operations of
// one batch or transaction: at most 20 calls in total. It is nil for
// single-operation requests.
type batchBudget struct {
	used int
}

// accessTracker charges and caches get/exists/getAfter/existsAfter for one
// operation, sharing a batch budget.
type accessTracker struct {
	before, after Documents
	opCap         int
	batch         *batchBudget
	used          int
	exceeded      bool
	// cache holds the answered calls: at most 2*opCap of them (a path may
	// be read through both functions of a family), so a list
	// scan beats a map. It starts in cacheBuf.
	cache    []accessEntry
	cacheBuf [2]accessEntry
}

// accessEntry is one cached call: the function, the document path and
// its result.
type accessEntry struct {
	fn, path string
	v        Value
}

// newAccessTracker returns a tracker for one operation. before backs get
// and exists, after backs getAfter and existsAfter; a nil view has no
// documents. opCap is the per-operation cap (normally 10; a value <= 0
// means 10). batch is nil outside a batch.
func newAccessTracker(before, after Documents, opCap int, batch *batchBudget) *accessTracker {
	if opCap <= 0 {
		opCap = maxAccessPerOp
	}
	return &accessTracker{before: before, after: after, opCap: opCap, batch: batch}
}

// reset returns a to its zero state.
func (a *accessTracker) reset() {
	clear(a.cacheBuf[:])
	a.before, a.after, a.batch, a.cache = nil, nil, nil, nil
	a.opCap, a.used, a.exceeded = 0, 0, false
}

// calls returns the number of calls charged to this operation.
func (a *accessTracker) calls() int {
	if a == nil {
		return 0
	}
	return a.used
}

// limitExceeded reports whether a call was refused because a cap was
// reached; the operation must then be denied.
func (a *accessTracker) limitExceeded() bool {
	return a != nil && a.exceeded
}

// access performs fn ("get", "exists", "getAfter" or "existsAfter") on p.
func (a *accessTracker) access(fn string, p *pathV, database string) Value {
	docPath, err := documentPath(fn, p, database)
	if err != nil {
		return err
	}
	charged := false
	for _, e := range a.cache {
		if e.path != docPath {
			continue
		}
		if e.fn == fn {
			return e.v
		}
		charged = charged || sameFamily(e.fn, fn)
	}
	if !charged {
		if a.used >= a.opCap || (a.batch != nil && a.batch.used >= maxAccessBatch) {
			a.exceeded = true
			return errorf("Service call error. Function: [%s], Argument: [%s]. Too many access calls: the limit is %d per operation and %d per batch.", fn, docPath, a.opCap, maxAccessBatch)
		}
		a.used++
		if a.batch != nil {
			a.batch.used++
		}
	}

	view := a.before
	if fn == "getAfter" || fn == "existsAfter" {
		view = a.after
	}
	var doc *Document
	if view != nil {
		doc = view.Lookup(docPath)
	}
	var v Value
	switch fn {
	case "exists", "existsAfter":
		v = boolOf(doc != nil)
	default:
		switch {
		case doc == nil && fn == "getAfter" && a.before != nil && a.before.Lookup(docPath) != nil:
			// Deleted by this request: null, as Google's emulator answers.
			v = theNull
		case doc == nil:
			v = errorf("Service call error. Function: [%s], Argument: [%s]. Document does not exist.", fn, docPath)
		default:
			v = resourceValue(doc, database)
		}
	}
	if a.cache == nil {
		a.cache = a.cacheBuf[:0]
	}
	a.cache = append(a.cache, accessEntry{fn: fn, path: docPath, v: v})
	return v
}

// sameFamily reports whether access functions f and g are charged once
// between them for one path: exists and existsAfter, get and getAfter.
func sameFamily(f, g string) bool {
	return strings.TrimSuffix(f, "After") == strings.TrimSuffix(g, "After")
}

// documentPath checks that p names a document of this database
// (/databases/{database}/documents/coll/doc[/coll/doc...]) and returns its
// full path string.
func documentPath(fn string, p *pathV, database string) (string, Value) {
	s := p.segs
	bad := func(why string) (string, Value) {
		return "", errorf("Service call error. Function: [%s], Argument: [%s]. %s", fn, p.String(), why)
	}
	if len(s) < 3 || s[0] != "databases" || s[2] != "documents" {
		return bad("Expected a document path /databases/{database}/documents/...")
	}
	if s[1] != database {
		return bad("Access to another database is not supported.")
	}
	if len(s) == 3 || (len(s)-3)%2 != 0 {
		return bad("The path names a collection, not a document.")
	}
	for _, seg := range s {
		if seg == "" {
			return bad("The path has an empty segment.")
		}
	}
	n := 0
	for _, seg := range s {
		n += 1 + len(seg)
	}
	var b strings.Builder
	b.Grow(n)
	for _, seg := range s {
		b.WriteByte('/')
		b.WriteString(seg)
	}
	return b.String(), nil
}
