package firestore

import (
	"time"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"github.com/roomgate/roomgate/emulator/rules"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// A listen target's result set and how a commit changes it. Targets keep
// the documents the client has, so each commit becomes a diff; documents
// are the store's immutable values (see store.go) and are sent as they
// are, never modified.

// listenTarget is one target of a Listen stream.
type listenTarget struct {
	id int32
	// since is the time of the target's snapshot: commits at or before it
	// are already in result.
	since time.Time

	// A documents target lists names; a query target has a plan.
	names map[string]docName
	order []docName // names in request order

	parent parentName
	query  *firestorepb.StructuredQuery
	plan   *queryPlan

	// result is what the client has been sent, by name: for a query
	// target, the plan's results (its window when it has a limit).
	result map[string]*firestorepb.Document

	// Authorization state (listen_authz.go): the ruleset that decided
	// the target (nil: none applied) and the full names of the documents
	// that decision read through get()/exists().
	rs   *rules.Ruleset
	deps map[string]struct{}
	// reauth: a commit may have changed the decision, which has not been
	// taken again yet (ListenDenyAtNextDelivery).
	reauth bool
}

// newTarget validates a Target of this stream's database.
func (ls *listenStream) newTarget(id int32, t *firestorepb.Target) (*listenTarget, error) {
	lt := &listenTarget{id: id, result: map[string]*firestorepb.Document{}}
	switch tt := t.GetTargetType().(type) {
	case *firestorepb.Target_Documents:
		names := tt.Documents.GetDocuments()
		if len(names) == 0 {
			return nil, status.Error(codes.InvalidArgument, "documents target lists no documents")
		}
		if len(names) > maxTargetDocuments {
			return nil, status.Errorf(codes.InvalidArgument, "documents target lists %d documents (limit %d)", len(names), maxTargetDocuments)
		}
		lt.names = map[string]docName{}
		for _, name := range names {
			n, err := parseDocName(name)
			if err != nil {
				return nil, err
			}
			if n.database != ls.database {
				return nil, status.Errorf(codes.InvalidArgument, "document %q is not in database %q", name, ls.database)
			}
			if _, dup := lt.names[name]; !dup {
				lt.names[name] = n
				lt.order = append(lt.order, n)
			}
		}
	case *firestorepb.Target_Query:
		p, err := parseParent(tt.Query.GetParent())
		if err != nil {
			return nil, err
		}
		if p.database != ls.database {
			return nil, status.Errorf(codes.InvalidArgument, "query parent %q is not in database %q", p.full, ls.database)
		}
		sq := tt.Query.GetStructuredQuery()
		if sq == nil {
			return nil, status.Error(codes.InvalidArgument, "query target needs a structured_query")
		}
		plan, err := compileQuery(p.full, sq)
		if err != nil {
			return nil, err
		}
		if plan.collectionID == "" {
			return nil, status.Error(codes.InvalidArgument, "a listen query must name a collection")
		}
		lt.parent, lt.query, lt.plan = p, sq, plan
	default:
		return nil, status.Error(codes.InvalidArgument, "target has neither documents nor query")
	}
	return lt, nil
}

// isQuery reports whether lt is a query target.
func (lt *listenTarget) isQuery() bool { return lt.plan != nil }

// project applies a query's select clause (none for documents targets).
func (lt *listenTarget) project(d *firestorepb.Document) *firestorepb.Document {
	if lt.plan == nil {
		return d
	}
	return lt.plan.project(d)
}

// initial loads the target's result as of at and returns it in the order
// to send (query order, or request order for documents).
func (lt *listenTarget) initial(st *store, at time.Time) ([]*firestorepb.Document, error) {
	lt.since = at
	lt.result = map[string]*firestorepb.Document{}
	if !lt.isQuery() {
		var out []*firestorepb.Document
		for _, n := range lt.order {
			d, err := st.getAt(n.full, at)
			if err != nil {
				return nil, err
			}
			if d != nil {
				lt.result[n.full] = d
				out = append(out, d)
			}
		}
		return out, nil
	}
	cands, err := st.queryCandidates(lt.plan, at)
	if err != nil {
		return nil, err
	}
	out := lt.plan.execute(cands)
	for _, d := range out {
		lt.result[d.Name] = d
	}
	return out, nil
}

// apply updates the target with one commit and returns the messages that
// bring the client up to date (none when the commit does not touch it).
// A query target with a limit is updated from its window and the
// commit's changes (listen_window.go); err is set when that needs the
// store as of a commit older than its retained history.
func (lt *listenTarget) apply(st *store, ev *commitEvent) ([]*firestorepb.ListenResponse, error) {
	var msgs []*firestorepb.ListenResponse
	if !lt.isQuery() {
		for _, ch := range ev.changes {
			if _, ok := lt.names[ch.name]; ok {
				msgs = lt.diffOne(msgs, ch.name, ch.after, ev.commitTime, ch.after == nil)
			}
		}
		return msgs, nil
	}
	if lt.plan.offset > 0 || lt.plan.limit >= 0 {
		return lt.applyWindow(st, ev)
	}
	// Without a window a document's membership depends on itself only.
	for _, ch := range ev.changes {
		if !lt.plan.inScope(ch.name) {
			continue
		}
		var now *firestorepb.Document
		if ch.after != nil && lt.plan.accepts(ch.after) {
			now = ch.after
		}
		msgs = lt.diffOne(msgs, ch.name, now, ev.commitTime, ch.after == nil)
	}
	return msgs, nil
}

// diffOne moves the client's copy of name to now (nil: not in the
// result) and appends the message that says so, if any: DocumentChange
// for an add or a modification (a new update_time), DocumentDelete for a
// document the commit deleted, DocumentRemove for one that still exists
// but left the result.
func (lt *listenTarget) diffOne(msgs []*firestorepb.ListenResponse, name string, now *firestorepb.Document, at time.Time, wasDeleted bool) []*firestorepb.ListenResponse {
	had, ok := lt.result[name]
	switch {
	case now != nil:
		if ok && updateTimeOf(had).Equal(updateTimeOf(now)) {
			return msgs
		}
		lt.result[name] = now
		return append(msgs, changeMsg(lt.project(now), lt.id))
	case !ok:
		return msgs
	}
	delete(lt.result, name)
	rt := timestamppb.New(at)
	ids := []int32{lt.id}
	if wasDeleted {
		return append(msgs, &firestorepb.ListenResponse{ResponseType: &firestorepb.ListenResponse_DocumentDelete{
			DocumentDelete: &firestorepb.DocumentDelete{Document: name, RemovedTargetIds: ids, ReadTime: rt},
		}})
	}
	return append(msgs, &firestorepb.ListenResponse{ResponseType: &firestorepb.ListenResponse_DocumentRemove{
		DocumentRemove: &firestorepb.DocumentRemove{Document: name, RemovedTargetIds: ids, ReadTime: rt},
	}})
}
