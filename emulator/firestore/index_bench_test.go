package firestore

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"cloud.google.com/go/firestore"
	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Benchmarks of queries and limit listeners over collections of 1k, 10k
// and 100k documents, through the Go client over loopback gRPC. With the
// single-field indexes (index.go) the cost per operation should not grow
// with the collection beyond log n; cpu-µs/op is the steadier figure on a
// shared machine.

var benchSizes = []int{1_000, 10_000, 100_000}

// fillBench stores n documents bench/d<i> = {k: i, g: i%10, text} directly
// in the store (one commit), which is much faster than n client writes.
func fillBench(b *testing.B, srv *Server, n int) {
	b.Helper()
	if external() {
		b.Skip("fills the in-process store directly")
	}
	prefix := "projects/" + testProject + "/databases/(default)/documents/bench/"
	_, err := srv.s.st.commit(func(x *stx) error {
		ts := timestamppb.New(x.t)
		for i := range n {
			x.put(fmt.Sprintf("%sd%06d", prefix, i), &firestorepb.Document{
				Name: fmt.Sprintf("%sd%06d", prefix, i),
				Fields: map[string]*firestorepb.Value{
					"k":    {ValueType: &firestorepb.Value_IntegerValue{IntegerValue: int64(i)}},
					"g":    {ValueType: &firestorepb.Value_IntegerValue{IntegerValue: int64(i % 10)}},
					"text": {ValueType: &firestorepb.Value_StringValue{StringValue: "hello"}},
				},
				CreateTime: ts, UpdateTime: ts,
			})
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// warmIndex runs one query on k, which builds the index on k (a one-time
// cost, O(n log n), that the timed loop should not include).
func warmIndex(b *testing.B, c *firestore.Client) {
	b.Helper()
	if _, err := c.Collection("bench").Where("k", "==", -1).Documents(context.Background()).GetAll(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkQueryEquality: where k == x, one match.
func BenchmarkQueryEquality(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			srv := newTestServer(b)
			srv.SetLogger(func(string, ...any) {})
			fillBench(b, srv, n)
			c := adminClient(b, srv)
			ctx := context.Background()
			warmIndex(b, c)
			defer reportCPU(b)()
			for i := 0; b.Loop(); i++ {
				docs, err := c.Collection("bench").Where("k", "==", (i*7919)%n).Documents(ctx).GetAll()
				if err != nil {
					b.Fatal(err)
				}
				if len(docs) != 1 {
					b.Fatalf("%d results, want 1", len(docs))
				}
			}
		})
	}
}

// BenchmarkQueryRangeLimit: where k >= x order by k limit 20.
func BenchmarkQueryRangeLimit(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			srv := newTestServer(b)
			srv.SetLogger(func(string, ...any) {})
			fillBench(b, srv, n)
			c := adminClient(b, srv)
			ctx := context.Background()
			warmIndex(b, c)
			defer reportCPU(b)()
			for i := 0; b.Loop(); i++ {
				docs, err := c.Collection("bench").Where("k", ">=", (i*7919)%(n-20)).OrderBy("k", firestore.Asc).Limit(20).Documents(ctx).GetAll()
				if err != nil {
					b.Fatal(err)
				}
				if len(docs) != 20 {
					b.Fatalf("%d results, want 20", len(docs))
				}
			}
		})
	}
}

// BenchmarkListenLimitToLast: a listener on order by k limitToLast(50)
// (on the wire: order by k desc, limit 50); each op writes a document that
// enters the window (pushing the oldest out) and waits for the snapshot.
func BenchmarkListenLimitToLast(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			srv := newTestServer(b)
			srv.SetLogger(func(string, ...any) {})
			fillBench(b, srv, n)
			c := adminClient(b, srv)
			ctx := context.Background()
			it := c.Collection("bench").OrderBy("k", firestore.Desc).Limit(50).Snapshots(ctx)
			defer it.Stop()
			if s, err := it.Next(); err != nil || s.Size != 50 {
				b.Fatalf("first snapshot: %v", err)
			}
			defer reportCPU(b)()
			for i := 0; b.Loop(); i++ {
				if _, err := c.Doc(fmt.Sprintf("bench/new%07d", i)).Set(ctx, map[string]any{"k": n + i, "g": 0}); err != nil {
					b.Fatal(err)
				}
				s, err := it.Next()
				if err != nil {
					b.Fatal(err)
				}
				if s.Size != 50 || len(s.Changes) != 2 {
					b.Fatalf("snapshot %d: size %d, %d changes", i, s.Size, len(s.Changes))
				}
			}
		})
	}
}

// BenchmarkIndexMemory reports the heap the single-field index on one
// field costs per document (index-B/doc), at 100k documents.
func BenchmarkIndexMemory(b *testing.B) {
	const n = 100_000
	srv := newTestServer(b)
	srv.SetLogger(func(string, ...any) {})
	fillBench(b, srv, n)
	c := adminClient(b, srv)
	ctx := context.Background()
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	// The first equality query on k builds the index on k.
	if _, err := c.Collection("bench").Where("k", "==", 1).Documents(ctx).GetAll(); err != nil {
		b.Fatal(err)
	}
	after := heap()
	for b.Loop() {
		if _, err := c.Collection("bench").Where("k", "==", 2).Documents(ctx).GetAll(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(int64(after)-int64(before))/n, "index-B/doc")
}
