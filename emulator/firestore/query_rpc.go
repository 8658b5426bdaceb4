package firestore

import (
	"context"
	"time"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// RunQuery and the plumbing it shares with RunAggregationQuery.

// queryRun is a query decided by the rules and executed at one read time.
type queryRun struct {
	plan *queryPlan
	// docs are the results in order, not projected: the store's own
	// immutable values, which must not be modified.
	docs     []*firestorepb.Document
	readTime time.Time
	newTxn   []byte // id begun by new_transaction, or nil
}

// runStructuredQuery validates q, resolves the consistency selector,
// decides the list with the rules and executes q on one snapshot. Every
// returned document is recorded in a read-write transaction.
//
// Known gap: a read-write transaction records the documents a query
// returned, not the range it scanned, so a document inserted into that
// range by another commit does not abort the transaction (production
// locks the range).
func (s *server) runStructuredQuery(ctx context.Context, parentName string, q *firestorepb.StructuredQuery,
	txn []byte, newTxn *firestorepb.TransactionOptions, readTime *timestamppb.Timestamp) (*queryRun, error) {
	parent, err := parseParent(parentName)
	if err != nil {
		return nil, err
	}
	// Streaming RPCs bypass the unary interceptor that records the
	// project; decideQuery needs it to pick the ruleset.
	ctx = withProject(ctx, parent.project)
	c := callerFrom(ctx)
	if err := c.check(); err != nil {
		return nil, err
	}
	plan, err := compileQuery(parent.full, q)
	if err != nil {
		return nil, err
	}
	if plan.collectionID == "" && !c.admin {
		// Kindless queries are an admin tool (recursiveDelete); rules
		// cannot judge a query that names no collection, so deny.
		return nil, status.Error(codes.PermissionDenied, "kindless queries require admin credentials")
	}
	sel, err := s.resolveRead(parent.database, txn, newTxn, tsTime(readTime))
	if err != nil {
		return nil, err
	}
	at := sel.at
	if at.IsZero() {
		at = s.st.readTime()
	}
	rq := toRulesQuery(parent.full, q)
	rq.Time = at
	rq.Before = storeView{st: s.st, project: parent.project, at: at}
	if err := s.decideQuery(ctx, c, rq); err != nil {
		return nil, err
	}
	cands, err := s.st.queryCandidates(plan, at)
	if err != nil {
		return nil, err
	}
	run := &queryRun{plan: plan, docs: plan.execute(cands), readTime: at, newTxn: sel.newT}
	if len(sel.txn) > 0 {
		for _, d := range run.docs {
			if err := s.recordTxnRead(sel.txn, d.Name, updateTimeOf(d)); err != nil {
				return nil, err
			}
		}
	}
	return run, nil
}

// RunQuery streams one message per result document, each with the read
// time; with no results it sends a single message holding only the read
// time (and the new transaction, if one was begun).
func (s *server) RunQuery(req *firestorepb.RunQueryRequest, stream firestorepb.Firestore_RunQueryServer) error {
	if req.GetExplainOptions() != nil {
		return status.Error(codes.Unimplemented, "explain_options (query explain) is not supported by this emulator")
	}
	sq := req.GetStructuredQuery()
	if sq == nil {
		return status.Error(codes.InvalidArgument, "RunQuery needs a structured_query")
	}
	run, err := s.runStructuredQuery(stream.Context(), req.GetParent(), sq, req.GetTransaction(), req.GetNewTransaction(), req.GetReadTime())
	if err != nil {
		return err
	}
	rt := timestamppb.New(run.readTime)
	if len(run.docs) == 0 {
		return stream.Send(&firestorepb.RunQueryResponse{ReadTime: rt, Transaction: run.newTxn})
	}
	for i, d := range run.docs {
		r := &firestorepb.RunQueryResponse{Document: run.plan.project(d), ReadTime: rt}
		if i == 0 {
			r.Transaction = run.newTxn
		}
		if err := stream.Send(r); err != nil {
			return err
		}
	}
	return nil
}
