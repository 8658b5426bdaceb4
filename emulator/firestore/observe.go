package firestore

import (
	"time"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/protobuf/proto"
)

// DocumentWrite is one document changed by a commit, as OnCommit reports
// it. Before is nil for a create, After is nil for a delete. Both are
// copies the observer owns.
type DocumentWrite struct {
	// Name is the full resource name
	// (projects/p/databases/(default)/documents/...).
	Name          string
	Before, After *firestorepb.Document
	// CommitTime is the commit's time, shared by every write of it.
	CommitTime time.Time
}

// OnCommit registers fn to be called, in commit order, with the documents
// each commit changed (creates, updates, deletes; no-op writes are left
// out). fn runs on the committing goroutine after the data is visible and
// must not block or commit: queue the work and return. cancel unregisters
// fn; after it returns fn is not called again. It is the hook behind the
// embedded emulator's CloudEvents delivery.
func (srv *Server) OnCommit(fn func([]DocumentWrite)) (cancel func()) {
	return srv.s.st.subscribe(func(ev *commitEvent) {
		ws := make([]DocumentWrite, 0, len(ev.changes))
		for _, c := range ev.changes {
			w := DocumentWrite{Name: c.name, CommitTime: ev.commitTime}
			if c.before != nil {
				w.Before = proto.Clone(c.before).(*firestorepb.Document)
			}
			if c.after != nil {
				w.After = proto.Clone(c.after).(*firestorepb.Document)
			}
			ws = append(ws, w)
		}
		fn(ws)
	})
}
