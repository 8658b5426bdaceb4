package rules

import "fmt"

// This file decides batches and transactions, and builds the post-write
// views getAfter()/existsAfter() read.
//
// Decisions ([inf] where marked):
//   - Every write of a batch is judged against the state after the whole
//     batch: getAfter sees all writes (FT).
//   - Each operation has its own cap of 10 access calls and the batch a
//     cap of 20 in total (FL).
//   - The cache of access calls is per operation, not shared across the
//     batch [inf]: a lookup repeated by two operations is charged to each,
//     which can only deny earlier than a shared cache would. This matches
//     FT's worked example, where a batch's charge is the sum of its
//     operations' charges.

// DecideBatch decides the writes of one batch or transaction together:
// getAfter/existsAfter see the state after every write, each operation is
// capped at 10 access calls and the batch at 20. The batch is allowed only
// if every operation is. An operation's After, when set, is used as given;
// otherwise the post-batch view is the first operation's Before with every
// write of the batch applied in order.
func (rs *Ruleset) DecideBatch(reqs []*Request) BatchDecision {
	bd := BatchDecision{Allowed: true, Ops: make([]Decision, len(reqs))}
	if len(reqs) == 0 {
		return bd
	}
	for i, r := range reqs {
		if r == nil {
			bd.Allowed = false
			bd.Denial = &Denial{Kind: DeniedInvalid, Op: i, Detail: fmt.Sprintf("operation %d is nil", i)}
			return bd
		}
	}
	after := batchWrites(reqs[0].Before, reqs)
	budget := &batchBudget{}
	firstDenied := -1
	for i, r := range reqs {
		d := rs.decide(r, budget, after)
		bd.Ops[i] = d
		bd.AccessCalls += d.AccessCalls
		if !d.Allowed && firstDenied < 0 {
			firstDenied = i
		}
	}
	if firstDenied >= 0 {
		bd.Allowed = false
		r := reqs[firstDenied]
		dn := *bd.Ops[firstDenied].Denial
		dn.Op, dn.Method, dn.Path = firstDenied, r.Method, r.Path
		bd.Denial = &dn
	}
	return bd
}

// writtenDoc is the document a write leaves at its path: the incoming
// document for create and update, nil (absent) for delete. ok is false for
// reads.
func writtenDoc(r *Request) (doc *Document, ok bool) {
	switch r.Method {
	case MethodCreate, MethodUpdate:
		if r.Incoming == nil {
			return &Document{Path: r.Path}, true
		}
		if r.Incoming.Path == r.Path {
			return r.Incoming, true
		}
		d := *r.Incoming
		d.Path = r.Path
		return &d, true
	case MethodDelete:
		return nil, true
	}
	return nil, false
}

// overlay is a view of base with some paths replaced (a nil document
// means deleted).
type overlay struct {
	base   Documents
	writes map[string]*Document
}

// Lookup implements Documents.
func (o *overlay) Lookup(path string) *Document {
	if d, ok := o.writes[path]; ok {
		return d
	}
	if o.base == nil {
		return nil
	}
	return o.base.Lookup(path)
}

// oneWrite is a view of base with one path replaced; it saves the map of
// overlay for the common single-write case.
type oneWrite struct {
	base Documents
	path string
	doc  *Document
}

// Lookup implements Documents.
func (o *oneWrite) Lookup(path string) *Document {
	if path == o.path {
		return o.doc
	}
	if o.base == nil {
		return nil
	}
	return o.base.Lookup(path)
}

// batchWrites is base with every write of reqs applied in order.
func batchWrites(base Documents, reqs []*Request) Documents {
	o := &overlay{base: base, writes: make(map[string]*Document, len(reqs))}
	for _, r := range reqs {
		if doc, ok := writtenDoc(r); ok {
			o.writes[r.Path] = doc
		}
	}
	return o
}
