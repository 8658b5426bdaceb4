package firestore

import (
	"strings"
	"time"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
)

// scanCollectionAt is listCollectionAt without the copies and the sort:
// it returns the store's own immutable documents (see store.go: stored
// values are replaced, never modified), in no particular order, as of t.
// Queries only read them and sort the few that match, so a 20-result
// query over 1,000 documents does not clone 1,000 documents. Callers must
// not modify the results.
func (st *store) scanCollectionAt(parent, collectionID string, allDescendants bool, t time.Time) ([]*firestorepb.Document, error) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	var out []*firestorepb.Document
	add := func(names map[string]struct{}) error {
		for n := range names {
			e := st.docs[n]
			if e == nil {
				continue
			}
			doc, ok := e.at(t)
			if !ok {
				return errTooOld(t)
			}
			if doc != nil {
				out = append(out, doc)
			}
		}
		return nil
	}
	if !allDescendants {
		return out, add(st.colls[parent+"/"+collectionID])
	}
	prefix := parent + "/"
	for coll, names := range st.colls {
		if strings.HasPrefix(coll, prefix) && (collectionID == "" || coll[strings.LastIndexByte(coll, '/')+1:] == collectionID) {
			if err := add(names); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
