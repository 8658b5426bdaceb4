package firestore

import (
	"strings"
	"time"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
)

// Single-field indexes. Like production, the store can answer an equality
// or range filter, and an order-by with a limit, from an index ordered by
// one field's value (Firestore's value order, then document name), per
// collection or per collection group. Indexes are built on first use by a
// query (so memory goes only to fields that are queried) and from then on
// maintained by every change to the store: commits (single writes,
// batches, transactions, BatchWrite, imports) through setLocked, and
// clear, which drops the database's indexes. Indexes hold the current
// state only: a query at an older read time falls back to the scan, which
// reads the version history.
//
// Queries use indexes to find candidates only; the query plan still
// filters, orders and windows them exactly as it does a full scan
// (query_index.go), so both paths give identical results.

// maxFieldIndexes bounds the number of indexes per store: each costs about
// 20 bytes per indexed document (BenchmarkIndexMemory), and a client
// could otherwise make the emulator index every field it ever queried.
// Beyond it queries scan.
const maxFieldIndexes = 256

// indexKey names one index: the scope (collectionScope or groupScope) and
// the field path (formatFieldPath; "" for __name__, which no field path
// can be).
type indexKey struct {
	scope, field string
}

type fieldIndex struct {
	path []string // nil: the document name (__name__)
	ord  orderedIndex
}

// indexValue is d's key in the index of path: the field's value (ok is
// false when d lacks it), or for a nil path the name as a reference.
func indexValue(d *firestorepb.Document, path []string) (*firestorepb.Value, bool) {
	if path == nil {
		return nameValue(d), true
	}
	return getFieldSegs(d.GetFields(), path)
}

// indexes is the store's set of single-field indexes; guarded by store.mu.
type indexes struct {
	byKey map[indexKey]*fieldIndex
	// byScope lists the indexes of each scope, for maintenance.
	byScope map[string][]*fieldIndex
	// lastChange is the time of the newest change applied to the store:
	// indexes answer reads at or after it only.
	lastChange time.Time
}

// collectionScope is the scope of the collection coll
// ("projects/P/databases/D/documents/c" or ".../c/d/sub").
func collectionScope(coll string) string { return coll }

// groupScope is the scope of every collection named collectionID in
// database ("projects/P/databases/D"); it cannot collide with a
// collection's name, which has no NUL byte.
func groupScope(database, collectionID string) string {
	return "\x00" + database + "\x00" + collectionID
}

// scopesOf returns the two scopes a document belongs to.
func scopesOf(name string) (coll, group string) {
	c := name[:strings.LastIndexByte(name, '/')]
	id := c[strings.LastIndexByte(c, '/')+1:]
	db := name
	if i := strings.Index(name, "/documents/"); i >= 0 {
		db = name[:i]
	}
	return collectionScope(c), groupScope(db, id)
}

// indexChangeLocked updates every index of name's scopes for the change
// before -> after (nil = absent); st.mu must be held for writing.
func (st *store) indexChangeLocked(name string, before, after *firestorepb.Document, t time.Time) {
	if t.After(st.idx.lastChange) {
		st.idx.lastChange = t
	}
	if len(st.idx.byKey) == 0 {
		return
	}
	coll, group := scopesOf(name)
	for _, scope := range [2]string{coll, group} {
		for _, fi := range st.idx.byScope[scope] {
			if before != nil {
				if v, ok := indexValue(before, fi.path); ok {
					fi.ord.remove(idxEntry{key: v, doc: before})
				}
			}
			if after != nil {
				if v, ok := indexValue(after, fi.path); ok {
					fi.ord.insert(idxEntry{key: v, doc: after})
				}
			}
		}
	}
}

// dropIndexesLocked forgets every index of database ("projects/P/databases/D");
// they are rebuilt on the next query that needs them.
func (st *store) dropIndexesLocked(database string, t time.Time) {
	if t.After(st.idx.lastChange) {
		st.idx.lastChange = t
	}
	for k := range st.idx.byKey {
		if strings.HasPrefix(k.scope, database+"/documents/") || strings.HasPrefix(k.scope, "\x00"+database+"\x00") {
			delete(st.idx.byKey, k)
			delete(st.idx.byScope, k.scope)
		}
	}
}

// ensureIndexLocked returns the index of field path in scope, building it
// from the current documents if needed, or nil when the store already
// holds maxFieldIndexes indexes. st.mu must be held for writing.
func (st *store) ensureIndexLocked(scope string, path []string) *fieldIndex {
	key := indexKey{scope: scope, field: formatFieldPath(path)}
	if fi := st.idx.byKey[key]; fi != nil {
		return fi
	}
	if len(st.idx.byKey) >= maxFieldIndexes {
		return nil
	}
	fi := &fieldIndex{path: path}
	var entries []idxEntry
	add := func(names map[string]struct{}) {
		for n := range names {
			e := st.docs[n]
			if e == nil {
				continue
			}
			if d := e.latest(); d != nil {
				if v, ok := indexValue(d, path); ok {
					entries = append(entries, idxEntry{key: v, doc: d})
				}
			}
		}
	}
	if strings.HasPrefix(scope, "\x00") {
		// Every collection whose scopes include this group scope.
		for _, names := range st.colls {
			if len(names) == 0 {
				continue
			}
			for n := range names {
				if _, g := scopesOf(n); g == scope {
					add(names)
				}
				break
			}
		}
	} else {
		add(st.colls[scope])
	}
	fi.ord.build(entries)
	if st.idx.byKey == nil {
		st.idx.byKey, st.idx.byScope = map[indexKey]*fieldIndex{}, map[string][]*fieldIndex{}
	}
	st.idx.byKey[key] = fi
	st.idx.byScope[scope] = append(st.idx.byScope[scope], fi)
	return fi
}
