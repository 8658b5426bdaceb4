package firestore

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
)

// listenModel is what a client knows after applying Listen messages as
// the SDKs do: the documents each target holds, and the targets the
// server removed with their cause. It lets one test check both emulators,
// whose message sequences differ but must leave the client in the same
// state: ours sends deltas (as production does), Google's emulator
// re-sends a changed query target in full after RESET (observed).
type listenModel struct {
	docs    map[int32]map[string]bool
	removed map[int32]codes.Code
}

func newListenModel() *listenModel {
	return &listenModel{docs: map[int32]map[string]bool{}, removed: map[int32]codes.Code{}}
}

func (m *listenModel) target(id int32) map[string]bool {
	if m.docs[id] == nil {
		m.docs[id] = map[string]bool{}
	}
	return m.docs[id]
}

func (m *listenModel) apply(msg *firestorepb.ListenResponse) {
	short := func(name string) string { return strings.TrimPrefix(name, testDB+"/documents/") }
	switch r := msg.ResponseType.(type) {
	case *firestorepb.ListenResponse_TargetChange:
		tc := r.TargetChange
		for _, id := range tc.TargetIds {
			switch tc.TargetChangeType {
			case firestorepb.TargetChange_ADD:
				m.target(id)
			case firestorepb.TargetChange_RESET:
				m.docs[id] = map[string]bool{}
			case firestorepb.TargetChange_REMOVE:
				delete(m.docs, id)
				if tc.Cause != nil {
					m.removed[id] = codes.Code(tc.Cause.Code)
				}
			}
		}
	case *firestorepb.ListenResponse_DocumentChange:
		dc := r.DocumentChange
		for _, id := range dc.TargetIds {
			m.target(id)[short(dc.Document.Name)] = true
		}
		for _, id := range dc.RemovedTargetIds {
			delete(m.target(id), short(dc.Document.Name))
		}
	case *firestorepb.ListenResponse_DocumentDelete:
		for _, id := range r.DocumentDelete.RemovedTargetIds {
			delete(m.target(id), short(r.DocumentDelete.Document))
		}
	case *firestorepb.ListenResponse_DocumentRemove:
		for _, id := range r.DocumentRemove.RemovedTargetIds {
			delete(m.target(id), short(r.DocumentRemove.Document))
		}
	}
}

// String renders the state as "2:[rooms/a] 4:[items/i1 items/i2] 6:REMOVED(PermissionDenied)",
// targets in id order.
func (m *listenModel) String() string {
	var ids []int32
	for id := range m.docs {
		ids = append(ids, id)
	}
	for id := range m.removed {
		if m.docs[id] == nil {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	var out []string
	for _, id := range ids {
		if d, ok := m.docs[id]; ok {
			var names []string
			for n := range d {
				names = append(names, n)
			}
			slices.Sort(names)
			out = append(out, fmt.Sprintf("%d:[%s]", id, strings.Join(names, " ")))
		} else {
			out = append(out, fmt.Sprintf("%d:REMOVED(%s)", id, m.removed[id]))
		}
	}
	return strings.Join(out, " ")
}

// settle applies messages to m until a global NO_CHANGE (the end of a
// consistent snapshot) or until none arrives for quiet, and returns them.
func (w *wireListen) settle(m *listenModel, quiet time.Duration) []*firestorepb.ListenResponse {
	w.t.Helper()
	var msgs []*firestorepb.ListenResponse
	for {
		select {
		case msg := <-w.msgs:
			msgs = append(msgs, msg)
			m.apply(msg)
			if tc := msg.GetTargetChange(); tc != nil && tc.TargetChangeType == firestorepb.TargetChange_NO_CHANGE && len(tc.TargetIds) == 0 {
				return msgs
			}
		case err := <-w.errc:
			w.t.Fatalf("stream ended: %v", err)
		case <-time.After(quiet):
			return msgs
		}
	}
}

// step checks one step of a Listen conversation: against our emulator the
// exact messages ours (which the later checks of a test may index);
// against another emulator only that the client's state after the step is
// state. It returns the messages read.
func (w *wireListen) step(m *listenModel, what string, state string, ours ...string) []*firestorepb.ListenResponse {
	w.t.Helper()
	if !external() {
		msgs := w.expect(what, ours...)
		for _, msg := range msgs {
			m.apply(msg)
		}
		if got := m.String(); got != state {
			w.t.Fatalf("%s: state %s, want %s", what, got, state)
		}
		return msgs
	}
	msgs := w.settle(m, time.Second)
	if got := m.String(); got != state {
		var descs []string
		for _, msg := range msgs {
			descs = append(descs, describe(msg))
		}
		w.t.Fatalf("%s: state %s, want %s (after %s)", what, got, state, strings.Join(descs, " "))
	}
	return msgs
}
