package firestore

import (
	"context"
	"errors"
	"io"
	"sort"
	"sync"
	"time"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// The Listen (watch) RPC. One stream carries
// any number of targets (the Go client uses one, id 214; the JS SDK many).
//
// Concurrency: the handler goroutine owns the stream's sends and every
// target's state. A reader goroutine forwards client requests to it, and
// the store's commit notifications are appended to an in-memory queue
// (listenQueue) that the handler drains in commit order, so a committer
// never waits for a slow listener.
//
// Sequence sent (the protocol doc's recommended one, accepted by both
// clients):
//
//	add_target(T):  ADD[T], DocumentChange per matching doc, CURRENT[T]
//	                with a resume token, NO_CHANGE[] with read_time
//	with a token:   ADD[T], RESET[T], the full set, CURRENT[T], NO_CHANGE[]
//	denied:         REMOVE[T] with cause PERMISSION_DENIED, nothing else
//	each commit:    DocumentChange/Delete/Remove per affected target, then
//	                NO_CHANGE[] with read_time = commit time
//	remove_target:  REMOVE[T] without cause

const (
	// maxListenTargets bounds the targets of one stream; production's
	// limit is not documented, so this only stops runaway clients.
	maxListenTargets = 5000
	// maxTargetDocuments bounds the names of one documents target.
	maxTargetDocuments = 1000
	// maxListenBacklog is how many undelivered commits a stream may queue
	// before it is ended with RESOURCE_EXHAUSTED. Both clients treat that
	// code as transient: they reconnect with their resume token and get a
	// RESET and the full current state.
	maxListenBacklog = 100_000
)

// listenQueue holds the commit events not yet processed by a stream.
// push runs on the committing goroutine and never blocks.
type listenQueue struct {
	mu       sync.Mutex
	events   []*commitEvent
	overflow bool
	signal   chan struct{} // capacity 1: "events may be non-empty"
}

func (q *listenQueue) push(ev *commitEvent) {
	q.mu.Lock()
	if len(q.events) >= maxListenBacklog {
		q.overflow = true
	} else {
		q.events = append(q.events, ev)
	}
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

// popUpTo removes and returns the queued events with commit time <= t
// (all of them when t is zero), oldest first.
func (q *listenQueue) popUpTo(t time.Time) (evs []*commitEvent, overflow bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := len(q.events)
	if !t.IsZero() {
		n = sort.Search(len(q.events), func(i int) bool { return q.events[i].commitTime.After(t) })
	}
	evs = q.events[:n:n]
	q.events = q.events[n:]
	if len(q.events) == 0 {
		q.events = nil
	}
	return evs, q.overflow
}

// waitNotified returns once every commit applied to the store before the
// call has been handed to the subscribers. A commit takes notifyMu before
// releasing the store lock and holds it while notifying, so acquiring it
// after a read (which waited for the store lock) orders us after them.
func (st *store) waitNotified() {
	st.notifyMu.Lock()
	//lint:ignore SA2001 the empty critical section is the point: a barrier
	st.notifyMu.Unlock()
}

// listenStream is the state of one Listen stream. Only the handler
// goroutine touches it, except queue.
type listenStream struct {
	s      *server
	stream firestorepb.Firestore_ListenServer
	ctx    context.Context
	queue  listenQueue

	database string // projects/P/databases/D, fixed by the first request
	project  string
	caller   caller

	targets  map[int32]*listenTarget
	order    []int32 // target ids in the order they were added
	nextAuto int32   // for target_id 0: server-assigned ids
	// lastRead is the greatest read_time sent, kept so read_time never
	// goes backwards on the stream.
	lastRead time.Time
}

// Listen serves one watch stream until the client half-closes (OK), the
// stream's context ends, or a protocol error.
func (s *server) Listen(stream firestorepb.Firestore_ListenServer) error {
	ls := &listenStream{
		s: s, stream: stream, ctx: stream.Context(),
		queue:    listenQueue{signal: make(chan struct{}, 1)},
		targets:  map[int32]*listenTarget{},
		nextAuto: 1 << 30,
	}
	// Subscribe before any target is read, so no commit after a target's
	// snapshot can be missed.
	cancel := s.st.subscribe(ls.queue.push)
	defer cancel()

	reqs := make(chan *firestorepb.ListenRequest)
	recvErr := make(chan error, 1)
	// The reader ends when Recv fails, which it does once the handler has
	// returned (gRPC cancels the stream) or the client half-closes.
	go func() {
		for {
			req, err := stream.Recv()
			if err != nil {
				recvErr <- err
				return
			}
			select {
			case reqs <- req:
			case <-ls.ctx.Done():
				return
			}
		}
	}()
	for {
		select {
		case <-ls.ctx.Done():
			return status.FromContextError(ls.ctx.Err()).Err()
		case err := <-recvErr:
			if errors.Is(err, io.EOF) {
				return nil // the client half-closed: it is done listening
			}
			return err
		case req := <-reqs:
			if err := ls.handleRequest(req); err != nil {
				return err
			}
		case <-ls.queue.signal:
			if err := ls.drain(time.Time{}); err != nil {
				return err
			}
		}
	}
}

// drain applies the queued commits up to t (all when zero) in order.
func (ls *listenStream) drain(t time.Time) error {
	evs, overflow := ls.queue.popUpTo(t)
	if overflow {
		return status.Error(codes.ResourceExhausted, "emulator: listener fell too far behind the commits; reconnect to resume")
	}
	for _, ev := range evs {
		if err := ls.applyCommit(ev); err != nil {
			return err
		}
	}
	return nil
}

// handleRequest validates one ListenRequest and adds or removes a target.
func (ls *listenStream) handleRequest(req *firestorepb.ListenRequest) error {
	project, db, err := parseDatabase(req.GetDatabase())
	if err != nil {
		return err
	}
	if ls.database == "" {
		ls.database, ls.project = db, project
		ls.caller = callerFrom(withProject(ls.ctx, project))
		if err := ls.caller.check(); err != nil {
			return err
		}
	} else if db != ls.database {
		return status.Errorf(codes.InvalidArgument, "Listen: every request of a stream must name database %q, got %q", ls.database, db)
	}
	switch tc := req.GetTargetChange().(type) {
	case *firestorepb.ListenRequest_AddTarget:
		return ls.addTarget(tc.AddTarget)
	case *firestorepb.ListenRequest_RemoveTarget:
		return ls.removeTarget(tc.RemoveTarget)
	}
	return status.Error(codes.InvalidArgument, "Listen: request has neither add_target nor remove_target")
}

// removeTarget acknowledges remove_target(id). An id the server does not
// know (for example one it already removed with an error) is acknowledged
// too: the client's bookkeeping only waits for the acknowledgement.
func (ls *listenStream) removeTarget(id int32) error {
	if _, ok := ls.targets[id]; ok {
		ls.dropTarget(id)
	}
	return ls.send(&firestorepb.ListenResponse{ResponseType: &firestorepb.ListenResponse_TargetChange{
		TargetChange: &firestorepb.TargetChange{TargetChangeType: firestorepb.TargetChange_REMOVE, TargetIds: []int32{id}},
	}})
}

func (ls *listenStream) dropTarget(id int32) {
	delete(ls.targets, id)
	for i, x := range ls.order {
		if x == id {
			ls.order = append(ls.order[:i], ls.order[i+1:]...)
			break
		}
	}
}

// addTarget answers add_target with the initial sequence, or with a
// REMOVE carrying the reason when the target is invalid or denied.
func (ls *listenStream) addTarget(t *firestorepb.Target) error {
	id := t.GetTargetId()
	switch {
	case id < 0:
		return status.Errorf(codes.InvalidArgument, "Listen: target_id must be positive, got %d", id)
	case id == 0:
		// "If target_id is 0 the server assigns an ID and returns it in
		// the ADD" (google.firestore.v1.Target).
		for ls.targets[ls.nextAuto] != nil {
			ls.nextAuto++
		}
		id = ls.nextAuto
		ls.nextAuto++
	case ls.targets[id] != nil:
		return status.Errorf(codes.InvalidArgument, "Listen: target_id %d is already in use on this stream", id)
	}
	if len(ls.targets) >= maxListenTargets {
		return ls.sendRemove(id, status.Errorf(codes.ResourceExhausted, "too many targets on one Listen stream (limit %d)", maxListenTargets))
	}
	lt, err := ls.newTarget(id, t)
	if err != nil {
		return ls.sendRemove(id, err)
	}
	if t.GetOnce() {
		return ls.sendRemove(id, status.Error(codes.Unimplemented, "Listen: once targets are not supported by this emulator"))
	}

	// Take the target's snapshot time, then make sure every commit up to
	// it has reached our queue and been applied to the other targets, so
	// the NO_CHANGE below describes one consistent state of all targets.
	at := ls.s.st.readTime()
	ls.s.st.waitNotified()
	if err := ls.drain(at); err != nil {
		return err
	}

	if err := ls.authorize(lt, at); err != nil {
		return ls.sendRemove(id, err)
	}
	docs, err := lt.initial(ls.s.st, at)
	if err != nil {
		return ls.sendRemove(id, err)
	}
	ls.targets[id] = lt
	ls.order = append(ls.order, id)

	if err := ls.sendTargetChange(firestorepb.TargetChange_ADD, id, nil); err != nil {
		return err
	}
	if t.GetResumeToken() != nil || t.GetReadTime() != nil {
		// Without deletion history we cannot send a delta: tell the
		// client to drop what it has, then resend everything.
		if err := ls.sendTargetChange(firestorepb.TargetChange_RESET, id, nil); err != nil {
			return err
		}
	}
	for _, d := range docs {
		if err := ls.send(changeMsg(lt.project(d), id)); err != nil {
			return err
		}
	}
	rt := ls.readTimeFor(at)
	if err := ls.sendTargetChange(firestorepb.TargetChange_CURRENT, id, encodeResumeToken(rt)); err != nil {
		return err
	}
	return ls.sendGlobal(rt)
}

// readTimeFor returns the read time to announce for a state as of t:
// never earlier than one already sent.
func (ls *listenStream) readTimeFor(t time.Time) time.Time {
	if t.Before(ls.lastRead) {
		t = ls.lastRead
	}
	ls.lastRead = t
	return t
}

// applyCommit re-authorizes the targets the commit may affect, then sends
// each remaining target's changes and, if anything was sent, a global
// NO_CHANGE at the commit time. With ListenDenyAtNextDelivery a target
// the commit may affect is only marked, and decided again at the first
// commit that has changes to deliver to it.
func (ls *listenStream) applyCommit(ev *commitEvent) error {
	sent := false
	for _, id := range append([]int32(nil), ls.order...) {
		lt := ls.targets[id]
		if !ev.commitTime.After(lt.since) {
			continue // already in the target's snapshot
		}
		deferred := ls.s.opts.ListenDenial == ListenDenyAtNextDelivery
		if ls.needsReauth(lt, ev) {
			lt.reauth = true
		}
		if lt.reauth && !deferred {
			if err := ls.authorize(lt, ev.commitTime); err != nil {
				ls.dropTarget(id)
				if err := ls.sendRemove(id, err); err != nil {
					return err
				}
				sent = true
				continue
			}
			lt.reauth = false
		}
		msgs, err := lt.apply(ls.s.st, ev)
		if err == nil && deferred && lt.reauth && len(msgs) > 0 {
			// ListenDenyAtNextDelivery: decide again only now that
			// there is something to deliver.
			if err = ls.authorize(lt, ev.commitTime); err == nil {
				lt.reauth = false
			}
		}
		if err != nil {
			ls.dropTarget(id)
			if err := ls.sendRemove(id, err); err != nil {
				return err
			}
			sent = true
			continue
		}
		for _, m := range msgs {
			if err := ls.send(m); err != nil {
				return err
			}
		}
		sent = sent || len(msgs) > 0
	}
	if !sent {
		return nil
	}
	return ls.sendGlobal(ls.readTimeFor(ev.commitTime))
}

func (ls *listenStream) send(m *firestorepb.ListenResponse) error { return ls.stream.Send(m) }

func (ls *listenStream) sendTargetChange(kind firestorepb.TargetChange_TargetChangeType, id int32, token []byte) error {
	return ls.send(&firestorepb.ListenResponse{ResponseType: &firestorepb.ListenResponse_TargetChange{
		TargetChange: &firestorepb.TargetChange{TargetChangeType: kind, TargetIds: []int32{id}, ResumeToken: token},
	}})
}

// sendGlobal sends the NO_CHANGE with empty target_ids that releases a
// snapshot in both clients.
func (ls *listenStream) sendGlobal(rt time.Time) error {
	return ls.send(&firestorepb.ListenResponse{ResponseType: &firestorepb.ListenResponse_TargetChange{
		TargetChange: &firestorepb.TargetChange{
			TargetChangeType: firestorepb.TargetChange_NO_CHANGE,
			ReadTime:         timestamppb.New(rt),
			ResumeToken:      encodeResumeToken(rt),
		},
	}})
}

// sendRemove ends target id with err as its cause: the Go client's
// iterator returns that status, the JS SDK rejects the listener with it.
func (ls *listenStream) sendRemove(id int32, err error) error {
	st := status.Convert(err)
	return ls.send(&firestorepb.ListenResponse{ResponseType: &firestorepb.ListenResponse_TargetChange{
		TargetChange: &firestorepb.TargetChange{
			TargetChangeType: firestorepb.TargetChange_REMOVE,
			TargetIds:        []int32{id},
			Cause:            st.Proto(),
		},
	}})
}

// changeMsg builds a DocumentChange adding/modifying d in target id.
func changeMsg(d *firestorepb.Document, id int32) *firestorepb.ListenResponse {
	return &firestorepb.ListenResponse{ResponseType: &firestorepb.ListenResponse_DocumentChange{
		DocumentChange: &firestorepb.DocumentChange{Document: d, TargetIds: []int32{id}},
	}}
}

// encodeResumeToken encodes a read time as a resume token: a version byte
// and the Unix time in microseconds, big-endian. Tokens are opaque to the
// clients; on resume the server resets and resends anyway.
func encodeResumeToken(t time.Time) []byte {
	us := uint64(t.UnixMicro())
	b := make([]byte, 9)
	b[0] = 1
	for i := 8; i >= 1; i-- {
		b[i] = byte(us)
		us >>= 8
	}
	return b
}

// decodeResumeToken is the inverse of encodeResumeToken.
func decodeResumeToken(b []byte) (time.Time, bool) {
	if len(b) != 9 || b[0] != 1 {
		return time.Time{}, false
	}
	var us uint64
	for _, c := range b[1:] {
		us = us<<8 | uint64(c)
	}
	return time.UnixMicro(int64(us)).UTC(), true
}
