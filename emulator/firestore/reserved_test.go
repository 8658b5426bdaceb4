package firestore

import (
	"context"
	"io"
	"math"
	"testing"

	"cloud.google.com/go/firestore"
	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Reserved names (__x__) and array-contains null, checked on both
// emulators: the messages are Google's emulator's, observed.

func wantInvalid(t *testing.T, what string, err error, msg string) {
	t.Helper()
	if status.Code(err) != codes.InvalidArgument || status.Convert(err).Message() != msg {
		t.Errorf("%s: got %v, want INVALID_ARGUMENT %q", what, err, msg)
	}
}

func TestReservedNames(t *testing.T) {
	srv := newTestServer(t)
	c := adminClient(t, srv)
	ctx := context.Background()
	set := func(path string, data map[string]any) error {
		_, err := c.Doc(path).Set(ctx, data)
		return err
	}

	// Field names.
	wantInvalid(t, "field __x__", set("r/d", map[string]any{"__x__": 1}), "field name __x__ is reserved")
	wantInvalid(t, "field __name__", set("r/d", map[string]any{"__name__": 1}), "field name __name__ is reserved")
	wantInvalid(t, "field _____", set("r/d", map[string]any{"_____": 1}), "field name _____ is reserved")
	wantInvalid(t, "nested field __x__", set("r/d", map[string]any{"m": map[string]any{"__x__": 1}}), "field name '__x__' is reserved.")
	if err := set("r/d", map[string]any{"__": 1, "___": 1, "____": 1, "__a": 1, "a__": 1, "__a_": 1}); err != nil {
		t.Errorf("names that are not reserved: %v", err)
	}
	if err := set("r/v", map[string]any{"emb": firestore.Vector64{1, 2}}); err != nil {
		t.Errorf("a vector (a map with __type__): %v", err)
	}

	// Collection and document ids.
	wantInvalid(t, "collection __c__", set("__c__/d", map[string]any{"a": 1}), `Collection id "__c__" is invalid because it is reserved.`)
	wantInvalid(t, "subcollection __s__", set("r/d/__s__/e", map[string]any{"a": 1}), `Collection id "__s__" is invalid because it is reserved.`)
	wantInvalid(t, "collection __id1__", set("__id1__/d", map[string]any{"a": 1}), `Collection id "__id1__" is invalid because it is reserved.`)
	wantInvalid(t, "document __d__", set("r/__d__", map[string]any{"a": 1}), `Resource id "__d__" is invalid because it is reserved.`)
	wantInvalid(t, "document __id01__", set("r/__id01__", map[string]any{"a": 1}), `Resource id "__id01__" is invalid because it is reserved.`)
	wantInvalid(t, "document __id99…__", set("r/__id9999999999999999999999__", map[string]any{"a": 1}),
		`Resource id "__id9999999999999999999999__" is invalid because it is not a 64 bit integer.`)
	for _, id := range []string{"__id1__", "__id-1__", "____"} {
		if err := set("r/"+id, map[string]any{"a": 1}); err != nil {
			t.Errorf("document %s: %v", id, err)
		}
	}
	_, err := c.Doc("__c__/d").Get(ctx)
	wantInvalid(t, "get in __c__", err, `Collection id "__c__" is invalid because it is reserved.`)

	// Queries.
	_, err = c.Collection("__c__").Documents(ctx).GetAll()
	wantInvalid(t, "query __c__", err, `Collection id "__c__" is invalid because it is reserved.`)
	_, err = c.CollectionGroup("__c__").Documents(ctx).GetAll()
	wantInvalid(t, "group __c__", err, `Collection id "__c__" is invalid because it is reserved.`)
	_, err = c.Collection("r").Where("__x__", "==", 1).Documents(ctx).GetAll()
	wantInvalid(t, "filter __x__", err, "Invalid reserved name in field path __x__")
	_, err = c.Collection("r").Where("m.__x__", "==", 1).Documents(ctx).GetAll()
	wantInvalid(t, "filter m.__x__", err, "Invalid reserved name in field path __x__")
	_, err = c.Collection("r").Where("a.__name__", "==", 1).Documents(ctx).GetAll()
	wantInvalid(t, "filter a.__name__", err, "the name __key__ is reserved")
	_, err = c.Collection("r").OrderBy("__x__", firestore.Asc).Documents(ctx).GetAll()
	wantInvalid(t, "order __x__", err, "Invalid reserved name in field path __x__")
	_, err = c.Collection("r").Select("__x__").Documents(ctx).GetAll()
	wantInvalid(t, "select __x__", err, "Invalid reserved name in field path __x__")

	// Update masks.
	_, err = rawClient(t, srv, "owner").Commit(ctx, &firestorepb.CommitRequest{Database: testDB, Writes: []*firestorepb.Write{{
		Operation:  &firestorepb.Write_Update{Update: &firestorepb.Document{Name: testDB + "/documents/r/d"}},
		UpdateMask: &firestorepb.DocumentMask{FieldPaths: []string{"__y__"}}}}})
	wantInvalid(t, "mask __y__", err, "Invalid reserved name in field path __y__")
}

// TestArrayContainsNullMatchesNothing: the Go client refuses
// array-contains nil, so the query goes raw.
func TestArrayContainsNullMatchesNothing(t *testing.T) {
	srv := newTestServer(t)
	c := adminClient(t, srv)
	ctx := context.Background()
	if _, err := c.Doc("r/n").Set(ctx, map[string]any{"arr": []any{nil, math.NaN(), 1}}); err != nil {
		t.Fatal(err)
	}
	rc := rawClient(t, srv, "owner")
	count := func(v *firestorepb.Value) int {
		t.Helper()
		s, err := rc.RunQuery(ctx, &firestorepb.RunQueryRequest{Parent: testDB + "/documents", QueryType: &firestorepb.RunQueryRequest_StructuredQuery{StructuredQuery: &firestorepb.StructuredQuery{
			From: []*firestorepb.StructuredQuery_CollectionSelector{{CollectionId: "r"}},
			Where: &firestorepb.StructuredQuery_Filter{FilterType: &firestorepb.StructuredQuery_Filter_FieldFilter{FieldFilter: &firestorepb.StructuredQuery_FieldFilter{
				Field: fieldRef("arr"), Op: firestorepb.StructuredQuery_FieldFilter_ARRAY_CONTAINS, Value: v}}}}}})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for {
			m, err := s.Recv()
			if err == io.EOF {
				return n
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Document != nil {
				n++
			}
		}
	}
	if n := count(vNullValue); n != 0 {
		t.Errorf("array-contains null: %d documents, want 0", n)
	}
	if n := count(vNaNValue); n != 0 {
		t.Errorf("array-contains NaN: %d documents, want 0", n)
	}
	if n := count(&firestorepb.Value{ValueType: &firestorepb.Value_IntegerValue{IntegerValue: 1}}); n != 1 {
		t.Errorf("array-contains 1: %d documents, want 1", n)
	}
}
