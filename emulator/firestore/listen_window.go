package firestore

import (
	"slices"
	"sort"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
)

// Incremental update of a listen target whose query has a limit (a
// window: `limit(50)`, `limitToLast(50)`, which the SDKs send as a limit
// on the reversed order). The target keeps only its window, never the
// whole matching set; a commit is applied as follows:
//
//  1. The documents the commit changed leave the window; those that now
//     match the query are candidates, with the window's unchanged
//     documents.
//  2. If the window was not full it held every match, so the first
//     `limit` candidates are the new window.
//  3. If it was full, documents beyond its old last one may have to move
//     in: the first `limit` candidates are still the answer when there are
//     that many and the last of them does not sort after the old last
//     (every document beyond the window does). Otherwise the window is
//     read again from the store as of the commit (through an index when
//     the query can use one, so O(log n + limit)).
//
// So a write that adds a document at the top of a chat's last 50
// messages costs O(limit log limit), whatever the collection's size. A
// query with an offset is always read again from the store.

// applyWindow is apply for a query target with a limit or an offset.
func (lt *listenTarget) applyWindow(st *store, ev *commitEvent) ([]*firestorepb.ListenResponse, error) {
	p := lt.plan
	changed := map[string]bool{}
	deleted := map[string]bool{}
	var cands []match
	for _, ch := range ev.changes {
		if !p.inScope(ch.name) {
			continue
		}
		changed[ch.name] = true
		if ch.after == nil {
			deleted[ch.name] = true
		} else if p.accepts(ch.after) {
			keys, _ := p.sortKeys(ch.after)
			cands = append(cands, match{doc: ch.after, keys: keys})
		}
	}
	if len(changed) == 0 {
		return nil, nil
	}
	var next []*firestorepb.Document
	refill := p.offset > 0
	if !refill {
		full := len(lt.result) >= p.limit
		var oldLast []*firestorepb.Value
		for name, d := range lt.result {
			keys, _ := p.sortKeys(d)
			if full && (oldLast == nil || p.compareKeys(keys, oldLast) > 0) {
				oldLast = keys
			}
			if !changed[name] {
				cands = append(cands, match{doc: d, keys: keys})
			}
		}
		slices.SortFunc(cands, func(a, b match) int { return p.compareKeys(a.keys, b.keys) })
		n := min(len(cands), p.limit)
		if full && p.limit > 0 && (n < p.limit || p.compareKeys(cands[n-1].keys, oldLast) > 0) {
			refill = true
		} else {
			for _, m := range cands[:n] {
				next = append(next, m.doc)
			}
		}
	}
	if refill {
		docs, err := st.queryCandidates(p, ev.commitTime)
		if err != nil {
			return nil, err
		}
		next = p.execute(docs)
	}
	nextByName := make(map[string]*firestorepb.Document, len(next))
	names := make([]string, 0, len(next)+len(lt.result))
	for _, d := range next {
		nextByName[d.Name] = d
		names = append(names, d.Name)
	}
	for n := range lt.result {
		if _, ok := nextByName[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var msgs []*firestorepb.ListenResponse
	for _, n := range names {
		msgs = lt.diffOne(msgs, n, nextByName[n], ev.commitTime, deleted[n])
	}
	return msgs, nil
}
