package firestore

import (
	"sort"
	"strings"
	"sync"
	"time"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// The store keeps every document of every database in memory, keyed by
// full name, with a short version history per document so that reads at
// a past read_time (read-only transactions, ReadTime options) see a
// consistent snapshot.
//
// Stored *firestorepb.Document values are immutable once stored: writers
// replace them, never modify them. Accessors hand out copies.

const (
	// historyAge and historyLen bound the versions kept per document. A
	// read at a time older than the retained history fails with
	// FAILED_PRECONDITION rather than returning a wrong snapshot.
	historyAge = 5 * time.Minute
	historyLen = 64
)

// version is one state of a document: doc is nil when it was deleted at t.
type version struct {
	t   time.Time
	doc *firestorepb.Document
}

// entry is the version history of one document name, oldest first.
type entry struct {
	versions []version
	// truncated records that older versions were dropped, so reads before
	// versions[0].t cannot be answered.
	truncated bool
}

func (e *entry) latest() *firestorepb.Document { return e.versions[len(e.versions)-1].doc }

// at returns the document as of t (nil if absent), or ok=false if t is
// older than the retained history.
func (e *entry) at(t time.Time) (doc *firestorepb.Document, ok bool) {
	for i := len(e.versions) - 1; i >= 0; i-- {
		if !e.versions[i].t.After(t) {
			return e.versions[i].doc, true
		}
	}
	return nil, !e.truncated
}

// docChange is one document changed by a commit: its state before and
// after (nil = absent). Both are the store's immutable values: readers
// must not modify them.
type docChange struct {
	name          string
	before, after *firestorepb.Document
}

// commitEvent describes one commit that changed at least one document.
type commitEvent struct {
	commitTime time.Time
	changes    []docChange
}

// store holds all documents. The zero value is not ready: use newStore.
type store struct {
	clock clock

	// mu guards docs and colls. Commits hold it exclusively, reads shared.
	mu   sync.RWMutex
	docs map[string]*entry // full name -> history
	// colls indexes document names by their collection's full name
	// (projects/P/databases/D/documents/c or .../c/d/sub).
	colls map[string]map[string]struct{}
	// idx holds the single-field indexes (index.go).
	idx indexes

	// notifyMu is taken before mu is released at the end of a commit and
	// held while subscribers run, so they see commits in commit order.
	notifyMu sync.Mutex

	// subsMu guards subs and nextSub.
	subsMu  sync.Mutex
	subs    map[int]func(*commitEvent)
	nextSub int
}

func newStore() *store {
	return &store{docs: map[string]*entry{}, colls: map[string]map[string]struct{}{}, subs: map[int]func(*commitEvent){}}
}

// get returns a copy of the current document, or nil if missing.
func (st *store) get(name string) *firestorepb.Document {
	st.mu.RLock()
	defer st.mu.RUnlock()
	if e := st.docs[name]; e != nil {
		return cloneDoc(e.latest())
	}
	return nil
}

// getAt returns a copy of the document as of t (nil if missing then). A
// zero t means now.
func (st *store) getAt(name string, t time.Time) (*firestorepb.Document, error) {
	if t.IsZero() {
		return st.get(name), nil
	}
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.atLocked(name, t)
}

func (st *store) atLocked(name string, t time.Time) (*firestorepb.Document, error) {
	e := st.docs[name]
	if e == nil {
		return nil, nil
	}
	doc, ok := e.at(t)
	if !ok {
		return nil, errTooOld(t)
	}
	return cloneDoc(doc), nil
}

func errTooOld(t time.Time) error {
	return status.Errorf(codes.FailedPrecondition, "read_time %s is older than the emulator's retained history (%s)", t.Format(time.RFC3339Nano), historyAge)
}

// readTime returns the current read time: every commit before it is
// visible, every later commit gets a greater time.
func (st *store) readTime() time.Time {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.clock.read()
}

// listCollection returns copies of the current documents directly in the
// collection collectionID under parent ("projects/P/databases/D/documents"
// or a document name), or, with allDescendants, in every collection with
// that id at any depth below parent. The result is one consistent
// snapshot, ordered by document key.
func (st *store) listCollection(parent, collectionID string, allDescendants bool) []*firestorepb.Document {
	docs, _ := st.listCollectionAt(parent, collectionID, allDescendants, time.Time{})
	return docs
}

// listCollectionAt is listCollection as of t (zero t: now).
func (st *store) listCollectionAt(parent, collectionID string, allDescendants bool, t time.Time) ([]*firestorepb.Document, error) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	var names []string
	if !allDescendants {
		for n := range st.colls[parent+"/"+collectionID] {
			names = append(names, n)
		}
	} else {
		prefix := parent + "/"
		for coll, set := range st.colls {
			if !strings.HasPrefix(coll, prefix) || coll[strings.LastIndexByte(coll, '/')+1:] != collectionID {
				continue
			}
			for n := range set {
				names = append(names, n)
			}
		}
	}
	return st.collectLocked(names, t)
}

// documentsUnder returns copies of every document whose name starts with
// prefix+"/" (all collections, all depths), ordered by key: the raw
// material of ListCollectionIds and ListDocuments(show_missing). A zero t
// means now.
func (st *store) documentsUnder(prefix string, t time.Time) ([]*firestorepb.Document, error) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	var names []string
	p := prefix + "/"
	for n := range st.docs {
		if strings.HasPrefix(n, p) {
			names = append(names, n)
		}
	}
	return st.collectLocked(names, t)
}

func (st *store) collectLocked(names []string, t time.Time) ([]*firestorepb.Document, error) {
	sort.Slice(names, func(i, j int) bool { return comparePaths(names[i], names[j]) < 0 })
	out := make([]*firestorepb.Document, 0, len(names))
	for _, n := range names {
		e := st.docs[n]
		doc := e.latest()
		if !t.IsZero() {
			d, ok := e.at(t)
			if !ok {
				return nil, errTooOld(t)
			}
			doc = d
		}
		if doc != nil {
			out = append(out, cloneDoc(doc))
		}
	}
	return out, nil
}

// subscribe registers fn to be called after every commit that changed at
// least one document, in commit order, outside the store lock. fn runs
// on the committing goroutine and must not block (queue and return) or
// commit itself. cancel unregisters it; after cancel returns fn is not
// called again.
func (st *store) subscribe(fn func(c *commitEvent)) (cancel func()) {
	st.subsMu.Lock()
	id := st.nextSub
	st.nextSub++
	st.subs[id] = fn
	st.subsMu.Unlock()
	return func() {
		// Taking notifyMu waits for a notification in progress.
		st.notifyMu.Lock()
		st.subsMu.Lock()
		delete(st.subs, id)
		st.subsMu.Unlock()
		st.notifyMu.Unlock()
	}
}

// stx is the state of one commit in progress: reads see the store plus
// the commit's own earlier writes. It is only valid inside store.commit.
type stx struct {
	st      *store
	t       time.Time
	pending map[string]*firestorepb.Document // name -> new state (nil = deleted)
	order   []string
}

// lookup returns the document as the commit sees it (store + earlier
// writes of this commit). The result must not be modified.
func (x *stx) lookup(name string) *firestorepb.Document {
	if d, ok := x.pending[name]; ok {
		return d
	}
	if e := x.st.docs[name]; e != nil {
		return e.latest()
	}
	return nil
}

// stored returns the document as it was before this commit.
func (x *stx) stored(name string) *firestorepb.Document {
	if e := x.st.docs[name]; e != nil {
		return e.latest()
	}
	return nil
}

// put records the new state of name (nil = deleted). doc becomes owned by
// the store.
func (x *stx) put(name string, doc *firestorepb.Document) {
	if _, seen := x.pending[name]; !seen {
		x.order = append(x.order, name)
	}
	x.pending[name] = doc
}

// commit runs fn under the store's write lock with a fresh commit time;
// if fn returns nil its puts are applied atomically and subscribers are
// notified of the documents that really changed.
func (st *store) commit(fn func(x *stx) error) (time.Time, error) {
	st.mu.Lock()
	x := &stx{st: st, t: st.clock.next(), pending: map[string]*firestorepb.Document{}}
	if err := fn(x); err != nil {
		st.mu.Unlock()
		return time.Time{}, err
	}
	ev := &commitEvent{commitTime: x.t}
	for _, name := range x.order {
		before, after := x.stored(name), x.pending[name]
		if before == after || (before == nil && after == nil) {
			continue // no-op (an unchanged document is passed through as the same pointer)
		}
		st.setLocked(name, after, x.t)
		ev.changes = append(ev.changes, docChange{name: name, before: before, after: after})
	}
	if len(ev.changes) == 0 {
		st.mu.Unlock()
		return x.t, nil
	}
	st.notifyAndUnlock(ev)
	return x.t, nil
}

// notifyAndUnlock releases st.mu (which must be held) and calls every
// subscriber with ev. notifyMu is taken before mu is released, so
// notifications are delivered in commit order.
func (st *store) notifyAndUnlock(ev *commitEvent) {
	st.notifyMu.Lock()
	defer st.notifyMu.Unlock()
	st.mu.Unlock()
	st.subsMu.Lock()
	fns := make([]func(*commitEvent), 0, len(st.subs))
	for _, fn := range st.subs {
		fns = append(fns, fn)
	}
	st.subsMu.Unlock()
	for _, fn := range fns {
		fn(ev)
	}
}

// setLocked appends a version and updates the indexes; st.mu must be
// held.
func (st *store) setLocked(name string, doc *firestorepb.Document, t time.Time) {
	e := st.docs[name]
	var before *firestorepb.Document
	if e != nil {
		before = e.latest()
	}
	st.indexChangeLocked(name, before, doc, t)
	if e == nil {
		if doc == nil {
			return
		}
		e = &entry{}
		st.docs[name] = e
		coll := name[:strings.LastIndexByte(name, '/')]
		set := st.colls[coll]
		if set == nil {
			set = map[string]struct{}{}
			st.colls[coll] = set
		}
		set[name] = struct{}{}
	}
	e.versions = append(e.versions, version{t: t, doc: doc})
	// Keep the newest historyLen versions and nothing older than
	// historyAge, except the one that was current at the cutoff.
	cut := 0
	for cut < len(e.versions)-1 && (len(e.versions)-cut > historyLen || !e.versions[cut+1].t.After(t.Add(-historyAge))) {
		cut++
	}
	if cut > 0 {
		e.versions = append(e.versions[:0:0], e.versions[cut:]...)
		e.truncated = true
	}
}

// clear deletes every document of database ("projects/P/databases/D")
// without history; open transactions that read them will abort.
func (st *store) clear(database string) {
	st.mu.Lock()
	t := st.clock.next()
	var changes []docChange
	prefix := database + "/documents/"
	for name, e := range st.docs {
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		if d := e.latest(); d != nil {
			changes = append(changes, docChange{name: name, before: d})
		}
		delete(st.docs, name)
	}
	for coll := range st.colls {
		if strings.HasPrefix(coll, prefix) {
			delete(st.colls, coll)
		}
	}
	st.dropIndexesLocked(database, t)
	if len(changes) == 0 {
		st.mu.Unlock()
		return
	}
	sort.Slice(changes, func(i, j int) bool { return comparePaths(changes[i].name, changes[j].name) < 0 })
	ev := &commitEvent{commitTime: t, changes: changes}
	st.notifyAndUnlock(ev)
}

// updateTimeOf returns d's update time, or the zero time for nil.
func updateTimeOf(d *firestorepb.Document) time.Time {
	if d == nil || d.UpdateTime == nil {
		return time.Time{}
	}
	return d.UpdateTime.AsTime()
}

func cloneDoc(d *firestorepb.Document) *firestorepb.Document {
	if d == nil {
		return nil
	}
	return proto.Clone(d).(*firestorepb.Document)
}
