package deploy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/roomgate/roomgate/internal/rooms"
)

// compositeIndex is one entry of firestore.indexes.json's "indexes".
type compositeIndex struct {
	CollectionGroup string `json:"collectionGroup"`
	QueryScope      string `json:"queryScope"`
	Fields          []struct {
		FieldPath   string `json:"fieldPath"`
		Order       string `json:"order"`
		ArrayConfig string `json:"arrayConfig"`
	} `json:"fields"`
}

// TestCompositeIndexForInviteListing: GET /v1/rooms/{id}/invites queries
// the invites collection with equalities, a range and an order over
// several fields, which Firestore serves only from a composite index
// (the emulators do not need one, so only this test notices its absence).
func TestCompositeIndexForInviteListing(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "firestore.indexes.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Indexes []compositeIndex `json:"indexes"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, ix := range doc.Indexes {
		if len(ix.Fields) < 2 || ix.QueryScope != "COLLECTION" && ix.QueryScope != "COLLECTION_GROUP" {
			t.Errorf("index %+v: a composite index has 2+ fields and a query scope", ix)
		}
		if ix.CollectionGroup != rooms.InvitesCollection || ix.QueryScope != "COLLECTION" {
			continue
		}
		var fields []string
		ok := true
		for _, f := range ix.Fields {
			fields = append(fields, f.FieldPath)
			ok = ok && f.Order == "ASCENDING" && f.ArrayConfig == ""
		}
		if ok && slices.Equal(fields, rooms.InviteListIndex) {
			return
		}
	}
	t.Errorf("no ascending collection-scope index on %s over %v", rooms.InvitesCollection, rooms.InviteListIndex)
}
