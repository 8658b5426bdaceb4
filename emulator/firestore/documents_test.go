package firestore

import (
	"context"
	"testing"
	"time"

	"cloud.google.com/go/firestore"
	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestCRUDThroughGoClient(t *testing.T) {
	srv := newTestServer(t)
	c := adminClient(t, srv)
	ctx := context.Background()
	ref := c.Collection("rooms").Doc("r1")

	if _, err := ref.Get(ctx); status.Code(err) != codes.NotFound {
		t.Fatalf("get of missing doc: %v, want NotFound", err)
	}
	wr, err := ref.Create(ctx, map[string]any{"name": "lobby", "n": 1, "tags": []any{"a", "b"}, "nested": map[string]any{"x": 1.5}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ref.Create(ctx, map[string]any{"name": "again"}); status.Code(err) != codes.AlreadyExists {
		t.Fatalf("second create: %v, want AlreadyExists", err)
	}
	snap, err := ref.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !snap.UpdateTime.Equal(wr.UpdateTime) || !snap.CreateTime.Equal(wr.UpdateTime) {
		t.Errorf("times: create %v update %v, want both %v", snap.CreateTime, snap.UpdateTime, wr.UpdateTime)
	}
	if got := snap.Data(); got["name"] != "lobby" || got["n"] != int64(1) || got["nested"].(map[string]any)["x"] != 1.5 {
		t.Errorf("data = %v", got)
	}

	// Set without merge replaces the document but keeps create_time.
	wr2, err := ref.Set(ctx, map[string]any{"only": true})
	if err != nil {
		t.Fatal(err)
	}
	snap, _ = ref.Get(ctx)
	if len(snap.Data()) != 1 || snap.Data()["only"] != true {
		t.Errorf("after set: %v", snap.Data())
	}
	if !snap.CreateTime.Equal(wr.UpdateTime) || !wr2.UpdateTime.After(wr.UpdateTime) {
		t.Errorf("set: create %v (want %v), update %v must be after %v", snap.CreateTime, wr.UpdateTime, wr2.UpdateTime, wr.UpdateTime)
	}

	if _, err := ref.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := ref.Get(ctx); status.Code(err) != codes.NotFound {
		t.Fatalf("get after delete: %v", err)
	}
	// Deleting a missing document is fine without a precondition.
	if _, err := ref.Delete(ctx); err != nil {
		t.Fatalf("delete of missing doc: %v", err)
	}
	if _, err := ref.Delete(ctx, firestore.Exists); status.Code(err) != codes.NotFound {
		t.Fatalf("delete with Exists of missing doc: %v, want NotFound", err)
	}
}

func TestSetMergeUpdateAndDelete(t *testing.T) {
	srv := newTestServer(t)
	c := adminClient(t, srv)
	ctx := context.Background()
	ref := c.Doc("users/u1")
	if _, err := ref.Set(ctx, map[string]any{"a": 1, "b": map[string]any{"c": 2, "d": 3}, "e": "keep"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ref.Set(ctx, map[string]any{"b": map[string]any{"c": 20}, "f": "new"}, firestore.MergeAll); err != nil {
		t.Fatal(err)
	}
	snap, _ := ref.Get(ctx)
	want := map[string]any{"a": int64(1), "b": map[string]any{"c": int64(20), "d": int64(3)}, "e": "keep", "f": "new"}
	if !equalData(snap.Data(), want) {
		t.Errorf("after MergeAll: %v, want %v", snap.Data(), want)
	}
	if _, err := ref.Set(ctx, map[string]any{"a": 100, "e": "ignored"}, firestore.Merge([]string{"a"})); err != nil {
		t.Fatal(err)
	}
	if _, err := ref.Update(ctx, []firestore.Update{{Path: "b.d", Value: firestore.Delete}, {Path: "e", Value: firestore.Delete}, {FieldPath: firestore.FieldPath{"odd.key"}, Value: 7}}); err != nil {
		t.Fatal(err)
	}
	snap, _ = ref.Get(ctx)
	want = map[string]any{"a": int64(100), "b": map[string]any{"c": int64(20)}, "f": "new", "odd.key": int64(7)}
	if !equalData(snap.Data(), want) {
		t.Errorf("after update: %v, want %v", snap.Data(), want)
	}
	// Update of a missing document fails with NotFound.
	if _, err := c.Doc("users/none").Update(ctx, []firestore.Update{{Path: "a", Value: 1}}); status.Code(err) != codes.NotFound {
		t.Errorf("update missing: %v, want NotFound", err)
	}
}

func TestNoOpWriteKeepsUpdateTime(t *testing.T) {
	srv := newTestServer(t)
	c := adminClient(t, srv)
	ctx := context.Background()
	ref := c.Doc("c/d")
	wr1, err := ref.Set(ctx, map[string]any{"x": 1})
	if err != nil {
		t.Fatal(err)
	}
	wr2, err := ref.Set(ctx, map[string]any{"x": 1})
	if err != nil {
		t.Fatal(err)
	}
	if !wr2.UpdateTime.Equal(wr1.UpdateTime) {
		t.Errorf("no-op write moved update_time %v -> %v", wr1.UpdateTime, wr2.UpdateTime)
	}
	// 1 and 1.0 are different stored values: not a no-op.
	wr3, _ := ref.Set(ctx, map[string]any{"x": 1.0})
	if !wr3.UpdateTime.After(wr1.UpdateTime) {
		t.Errorf("type change did not bump update_time")
	}
}

func TestGetAllAndReadMask(t *testing.T) {
	srv := newTestServer(t)
	c := adminClient(t, srv)
	ctx := context.Background()
	a, b, missing := c.Doc("c/a"), c.Doc("c/b"), c.Doc("c/missing")
	a.Set(ctx, map[string]any{"v": 1, "w": 2})
	b.Set(ctx, map[string]any{"v": 3})
	snaps, err := c.GetAll(ctx, []*firestore.DocumentRef{a, b, missing, a})
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 4 || !snaps[0].Exists() || snaps[2].Exists() || snaps[3].Data()["w"] != int64(2) {
		t.Fatalf("GetAll = %v", snaps)
	}
	if !snaps[0].ReadTime.Equal(snaps[2].ReadTime) {
		t.Errorf("one BatchGet must have one read time: %v vs %v", snaps[0].ReadTime, snaps[2].ReadTime)
	}
	// Read times never go backwards.
	s2, _ := a.Get(ctx)
	if s2.ReadTime.Before(snaps[0].ReadTime) {
		t.Errorf("read time went back")
	}
}

func TestTimesAreMonotonic(t *testing.T) {
	srv := newTestServer(t)
	c := adminClient(t, srv)
	ctx := context.Background()
	var last time.Time
	for i := 0; i < 50; i++ {
		wr, err := c.Doc("c/d").Set(ctx, map[string]any{"i": i})
		if err != nil {
			t.Fatal(err)
		}
		if !wr.UpdateTime.After(last) {
			t.Fatalf("write %d: update_time %v not after %v", i, wr.UpdateTime, last)
		}
		if wr.UpdateTime.Nanosecond()%1000 != 0 {
			t.Fatalf("update_time %v has sub-microsecond precision", wr.UpdateTime)
		}
		last = wr.UpdateTime
	}
}

func equalData(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, va := range a {
		vb, ok := b[k]
		if !ok {
			return false
		}
		ma, aok := va.(map[string]any)
		mb, bok := vb.(map[string]any)
		if aok || bok {
			if !aok || !bok || !equalData(ma, mb) {
				return false
			}
			continue
		}
		if va != vb {
			return false
		}
	}
	return true
}

// The single-document RPCs no Go client path uses, driven raw.
func TestSingleDocumentRPCs(t *testing.T) {
	srv := newTestServer(t)
	rc := rawClient(t, srv, "owner")
	ctx := context.Background()
	parent := testDB + "/documents"
	d, err := rc.CreateDocument(ctx, &firestorepb.CreateDocumentRequest{Parent: parent, CollectionId: "rooms",
		Document: &firestorepb.Document{Fields: map[string]*firestorepb.Value{"a": intValue(1), "b": intValue(2)}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Name) != len(parent+"/rooms/")+20 || d.CreateTime == nil || d.UpdateTime == nil {
		t.Fatalf("created %v", d)
	}
	got, err := rc.GetDocument(ctx, &firestorepb.GetDocumentRequest{Name: d.Name, Mask: &firestorepb.DocumentMask{FieldPaths: []string{"b"}}})
	if err != nil || len(got.Fields) != 1 || got.Fields["b"].GetIntegerValue() != 2 {
		t.Errorf("masked get = %v, %v", got, err)
	}
	if _, err := rc.GetDocument(ctx, &firestorepb.GetDocumentRequest{Name: parent + "/rooms/none"}); status.Code(err) != codes.NotFound {
		t.Errorf("GetDocument of missing: %v, want NotFound", err)
	}
	_, err = rc.CreateDocument(ctx, &firestorepb.CreateDocumentRequest{Parent: parent, CollectionId: "rooms", DocumentId: d.Name[len(parent+"/rooms/"):]})
	if status.Code(err) != codes.AlreadyExists {
		t.Errorf("CreateDocument of existing id: %v", err)
	}
	up, err := rc.UpdateDocument(ctx, &firestorepb.UpdateDocumentRequest{
		Document:        &firestorepb.Document{Name: d.Name, Fields: map[string]*firestorepb.Value{"a": intValue(10), "zzz": intValue(0)}},
		UpdateMask:      &firestorepb.DocumentMask{FieldPaths: []string{"a", "b"}},
		CurrentDocument: &firestorepb.Precondition{ConditionType: &firestorepb.Precondition_UpdateTime{UpdateTime: d.UpdateTime}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(up.Fields) != 1 || up.Fields["a"].GetIntegerValue() != 10 || !up.UpdateTime.AsTime().After(d.UpdateTime.AsTime()) {
		t.Errorf("UpdateDocument with mask [a b] = %v (b deleted, zzz ignored)", up)
	}
	_, err = rc.DeleteDocument(ctx, &firestorepb.DeleteDocumentRequest{Name: d.Name, CurrentDocument: &firestorepb.Precondition{ConditionType: &firestorepb.Precondition_UpdateTime{UpdateTime: d.UpdateTime}}})
	if status.Code(err) != codes.FailedPrecondition {
		t.Errorf("delete with stale update_time: %v", err)
	}
	if _, err := rc.DeleteDocument(ctx, &firestorepb.DeleteDocumentRequest{Name: d.Name}); err != nil {
		t.Error(err)
	}
	if _, err := rc.GetDocument(ctx, &firestorepb.GetDocumentRequest{Name: "projects/p/nope"}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("bad name: %v", err)
	}
}

func TestReadAtPastReadTime(t *testing.T) {
	srv := newTestServer(t)
	c := adminClient(t, srv)
	ctx := context.Background()
	ref := c.Doc("c/versioned")
	w1, _ := ref.Set(ctx, map[string]any{"v": 1})
	if _, err := ref.Set(ctx, map[string]any{"v": 2}); err != nil {
		t.Fatal(err)
	}
	snap, err := ref.WithReadOptions(firestore.ReadTime(w1.UpdateTime)).Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Data()["v"] != int64(1) || !snap.ReadTime.Equal(w1.UpdateTime) {
		t.Errorf("read at %v = %v (read time %v), want v=1", w1.UpdateTime, snap.Data(), snap.ReadTime)
	}
	if _, err := ref.WithReadOptions(firestore.ReadTime(w1.UpdateTime.Add(-time.Microsecond))).Get(ctx); status.Code(err) != codes.NotFound {
		t.Errorf("read before creation: %v, want NotFound", err)
	}
}

// Timestamps are stored to the microsecond, extra digits rounded down (in
// maps and arrays too), and a precondition finer than that is refused, as
// by Google's emulator.
func TestTimestampsAreMicroseconds(t *testing.T) {
	srv := newTestServer(t)
	c := adminClient(t, srv)
	ctx := context.Background()
	fine := time.Date(2026, 1, 1, 0, 0, 0, 123456789, time.UTC)
	want := fine.Truncate(time.Microsecond)
	ref := c.Doc("c/ts")
	if _, err := ref.Set(ctx, map[string]any{"t": fine, "m": map[string]any{"t": fine}, "a": []any{fine}}); err != nil {
		t.Fatal(err)
	}
	snap, err := ref.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d := snap.Data()
	got := []any{d["t"], d["m"].(map[string]any)["t"], d["a"].([]any)[0]}
	for i, g := range got {
		if tm, ok := g.(time.Time); !ok || !tm.Equal(want) {
			t.Errorf("stored timestamp %d = %v, want %v", i, g, want)
		}
	}
	_, err = ref.Update(ctx, []firestore.Update{{Path: "v", Value: 1}}, firestore.LastUpdateTime(snap.UpdateTime.Add(time.Nanosecond)))
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("nanosecond precondition: %v, want InvalidArgument", err)
	}
}
