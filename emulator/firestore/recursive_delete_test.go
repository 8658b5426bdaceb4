package firestore

import (
	"context"
	"errors"
	"io"
	"slices"
	"testing"

	"cloud.google.com/go/firestore"
	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// recursiveDelete does what the Admin SDKs' recursiveDelete does (the Node
// SDK's algorithm; the Go client has no such helper): page through every
// descendant with a kindless, all-descendants RunQuery that selects only
// __name__ (for a collection, bounded by __name__ >= coll/"\x00" and
// < coll/"\uf8ff"), delete each page with the Go client's BulkWriter
// (BatchWrite), then delete the document itself.
func recursiveDelete(t *testing.T, c *firestore.Client, raw firestorepb.FirestoreClient, parent, collectionID string, doc *firestore.DocumentRef) {
	t.Helper()
	ctx := context.Background()
	nameRef := func(s string) *firestorepb.Value {
		return &firestorepb.Value{ValueType: &firestorepb.Value_ReferenceValue{ReferenceValue: s}}
	}
	name := &firestorepb.StructuredQuery_FieldReference{FieldPath: "__name__"}
	q := &firestorepb.StructuredQuery{
		From:    []*firestorepb.StructuredQuery_CollectionSelector{{AllDescendants: true}},
		Select:  &firestorepb.StructuredQuery_Projection{Fields: []*firestorepb.StructuredQuery_FieldReference{name}},
		OrderBy: []*firestorepb.StructuredQuery_Order{{Field: name, Direction: firestorepb.StructuredQuery_ASCENDING}},
		Limit:   wrapperspb.Int32(2), // small pages, to exercise the cursor
	}
	if collectionID != "" {
		bound := func(op firestorepb.StructuredQuery_FieldFilter_Operator, v string) *firestorepb.StructuredQuery_Filter {
			return &firestorepb.StructuredQuery_Filter{FilterType: &firestorepb.StructuredQuery_Filter_FieldFilter{
				FieldFilter: &firestorepb.StructuredQuery_FieldFilter{Field: name, Op: op, Value: nameRef(parent + "/" + collectionID + "/" + v)}}}
		}
		q.Where = &firestorepb.StructuredQuery_Filter{FilterType: &firestorepb.StructuredQuery_Filter_CompositeFilter{
			CompositeFilter: &firestorepb.StructuredQuery_CompositeFilter{Op: firestorepb.StructuredQuery_CompositeFilter_AND,
				Filters: []*firestorepb.StructuredQuery_Filter{
					bound(firestorepb.StructuredQuery_FieldFilter_GREATER_THAN_OR_EQUAL, "\x00"),
					bound(firestorepb.StructuredQuery_FieldFilter_LESS_THAN, "\uf8ff"),
				}}}}
	}
	for {
		stream, err := raw.RunQuery(ctx, &firestorepb.RunQueryRequest{Parent: parent,
			QueryType: &firestorepb.RunQueryRequest_StructuredQuery{StructuredQuery: q}})
		if err != nil {
			t.Fatalf("RunQuery: %v", err)
		}
		var names []string
		for {
			resp, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("RunQuery: %v", err)
			}
			if d := resp.GetDocument(); d != nil {
				if len(d.GetFields()) != 0 {
					t.Errorf("%s: select __name__ returned fields %v", d.Name, d.Fields)
				}
				names = append(names, d.Name)
			}
		}
		if len(names) == 0 {
			break
		}
		bw := c.BulkWriter(ctx)
		var jobs []*firestore.BulkWriterJob
		for _, n := range names {
			j, err := bw.Delete(c.DocFromFullPath(n))
			if err != nil {
				t.Fatal(err)
			}
			jobs = append(jobs, j)
		}
		bw.End()
		for i, j := range jobs {
			if _, err := j.Results(); err != nil {
				t.Fatalf("BulkWriter delete %s: %v", names[i], err)
			}
		}
		q.StartAt = &firestorepb.Cursor{Values: []*firestorepb.Value{nameRef(names[len(names)-1])}}
	}
	if doc != nil {
		if _, err := doc.Delete(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRecursiveDelete deletes a document and then a collection with nested
// subcollections (and a descendant under a missing document) the way
// recursiveDelete does, through the Go clients.
func TestRecursiveDelete(t *testing.T) {
	srv := newTestServer(t)
	c := adminClient(t, srv)
	raw := rawClient(t, srv, "owner")
	ctx := context.Background()
	root := testDB + "/documents"
	paths := []string{
		"rooms/r1", "rooms/r1/messages/m1", "rooms/r1/messages/m2",
		"rooms/r1/messages/m1/reactions/x", "rooms/r1/members/u1",
		"rooms/r1/ghost/g/deep/d", // under a document that does not exist
		"rooms/r2", "rooms/r2/messages/m1", "roomsx/r1", "other/r1/messages/m1",
	}
	for _, p := range paths {
		if _, err := c.Doc(p).Set(ctx, map[string]any{"p": p}); err != nil {
			t.Fatalf("set %s: %v", p, err)
		}
	}
	remaining := func() []string {
		t.Helper()
		var out []string
		for _, p := range paths {
			snap, err := c.Doc(p).Get(ctx)
			if err == nil && snap.Exists() {
				out = append(out, p)
			} else if status.Code(err) != codes.NotFound {
				t.Fatalf("get %s: %v", p, err)
			}
		}
		return out
	}

	recursiveDelete(t, c, raw, root+"/rooms/r1", "", c.Doc("rooms/r1"))
	if got, want := remaining(), []string{"rooms/r2", "rooms/r2/messages/m1", "roomsx/r1", "other/r1/messages/m1"}; !slices.Equal(got, want) {
		t.Errorf("after deleting rooms/r1: %v, want %v", got, want)
	}
	recursiveDelete(t, c, raw, root, "rooms", nil)
	if got, want := remaining(), []string{"roomsx/r1", "other/r1/messages/m1"}; !slices.Equal(got, want) {
		t.Errorf("after deleting rooms: %v, want %v", got, want)
	}
}

// TestKindlessQueryNeedsAdmin: a kindless query names no collection, so no
// rule can allow it; only admin callers may run one.
func TestKindlessQueryNeedsAdmin(t *testing.T) {
	if external() {
		t.Skip("a deliberate difference: Google's emulator lets open rules allow kindless queries; this one denies them to non-admin callers")
	}
	srv := newTestServer(t)
	ctx := context.Background()
	if _, err := adminClient(t, srv).Doc("c/d").Set(ctx, map[string]any{"a": 1}); err != nil {
		t.Fatal(err)
	}
	stream, err := rawClient(t, srv, unsignedJWT("alice", nil)).RunQuery(ctx, &firestorepb.RunQueryRequest{
		Parent: testDB + "/documents",
		QueryType: &firestorepb.RunQueryRequest_StructuredQuery{StructuredQuery: &firestorepb.StructuredQuery{
			From: []*firestorepb.StructuredQuery_CollectionSelector{{AllDescendants: true}}}},
	})
	if err == nil {
		_, err = stream.Recv()
	}
	if status.Code(err) != codes.PermissionDenied {
		t.Fatalf("kindless query as a user: %v, want PermissionDenied", err)
	}
}
