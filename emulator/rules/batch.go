package rules

import "fmt"

// This file decides batches and transactions, and builds the post-write
// views getAfter()/existsAfter() read.
//
// Decisions ([inf] where marked):
//   - Every write of a batch is judged against the state after the whole
//     batch: getAfter sees all writes (FT).
//   - Writes of one document are judged once, as their net effect (as
//     Google's emulator does): resource is the document before the batch,
//     request.resource the document after it, and the method follows from
//     the two (create, update, or delete). Only the final document is ever
//     stored, so this judges exactly the change the batch makes; judging
//     each write on the state an earlier one left would let a create rule
//     be bypassed by a create followed by an update.
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
	net, of := netWrites(reqs)
	budget := &batchBudget{}
	firstDenied := -1
	decided := make([]Decision, len(net))
	for j, r := range net {
		decided[j] = rs.decide(r, budget, after)
		bd.AccessCalls += decided[j].AccessCalls
	}
	for i := range reqs {
		d := decided[of[i]]
		bd.Ops[i] = d
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

// netWrites collapses the writes of one document into one request, at the
// position of its first write: its Resource is the first write's (the
// document before the batch), its Incoming the last write's (the document
// after the batch), and its method create, update or delete accordingly
// (a document created and deleted by the batch is judged as a delete of a
// missing document). of[i] is the index in net of reqs[i]'s request.
// Reads and single writes pass through unchanged.
func netWrites(reqs []*Request) (net []*Request, of []int) {
	of = make([]int, len(reqs))
	first := make(map[string]int, len(reqs))
	for i, r := range reqs {
		if _, ok := writtenDoc(r); ok {
			if j, dup := first[r.Path]; dup {
				of[i] = j
				net[j] = merged(net[j], r)
				continue
			}
			first[r.Path] = len(net)
		}
		of[i] = len(net)
		net = append(net, r)
	}
	return net, of
}

// merged is write a followed by write b on the same document, as one
// request.
func merged(a, b *Request) *Request {
	m := *b
	m.Resource = a.Resource
	// request.writeFields of the net write: every transform, and the
	// masks' union only if both writes have one (write_fields.go).
	if len(a.Transforms) > 0 {
		m.Transforms = append(append([][]string(nil), a.Transforms...), b.Transforms...)
	}
	m.HasUpdateMask = a.HasUpdateMask && b.HasUpdateMask
	if m.HasUpdateMask {
		m.UpdateMask = append(append([][]string(nil), a.UpdateMask...), b.UpdateMask...)
	} else {
		m.UpdateMask = nil
	}
	doc, _ := writtenDoc(b)
	switch {
	case doc == nil:
		m.Method, m.Incoming = MethodDelete, nil
	case a.Resource == nil && a.Method != MethodUpdate:
		// (An update of a missing document stays an update.)
		m.Method, m.Incoming = MethodCreate, doc
	default:
		m.Method, m.Incoming = MethodUpdate, doc
	}
	return &m
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
