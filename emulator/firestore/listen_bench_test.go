package firestore

import (
	"context"
	"fmt"
	"testing"

	"cloud.google.com/go/firestore"
)

// BenchmarkListenDelivery measures commit → snapshot delivered through
// the Go client over loopback gRPC: each op is one Set followed by the
// listener's Next returning the snapshot that contains it.
//
//	document:     admin, DocumentRef.Snapshots on the written document
//	query-rules:  a member under rules (exists() on the membership),
//	              Query.Snapshots on the room's messages; each op adds a
//	              message, so the listener's decision is checked against
//	              the commit and the snapshot carries one added document
func BenchmarkListenDelivery(b *testing.B) {
	ctx := context.Background()
	b.Run("document", func(b *testing.B) {
		srv := newTestServer(b)
		admin := adminClient(b, srv)
		ref := admin.Doc("bench/listen")
		it := ref.Snapshots(ctx)
		defer it.Stop()
		if _, err := it.Next(); err != nil {
			b.Fatal(err)
		}
		defer reportCPU(b)()
		for i := 0; b.Loop(); i++ {
			if _, err := ref.Set(ctx, map[string]any{"i": i}); err != nil {
				b.Fatal(err)
			}
			s, err := it.Next()
			if err != nil {
				b.Fatal(err)
			}
			if got, _ := s.DataAt("i"); got != int64(i) {
				b.Fatalf("snapshot i=%v, want %d", got, i)
			}
		}
	})
	b.Run("query-rules", func(b *testing.B) {
		srv := newTestServer(b)
		if err := srv.SetRules(listenRules); err != nil {
			b.Fatal(err)
		}
		admin := adminClient(b, srv)
		if _, err := admin.Doc("rooms/r/members/alice").Set(ctx, map[string]any{"role": "member"}); err != nil {
			b.Fatal(err)
		}
		alice := userClient(b, srv, "alice", nil)
		it := alice.Collection("rooms/r/messages").Snapshots(ctx)
		defer it.Stop()
		if _, err := it.Next(); err != nil {
			b.Fatal(err)
		}
		defer reportCPU(b)()
		for i := 0; b.Loop(); i++ {
			if _, err := admin.Doc(fmt.Sprintf("rooms/r/messages/m%d", i)).Set(ctx, map[string]any{"i": i}); err != nil {
				b.Fatal(err)
			}
			s, err := it.Next()
			if err != nil {
				b.Fatal(err)
			}
			if len(s.Changes) != 1 || s.Changes[0].Kind != firestore.DocumentAdded {
				b.Fatalf("snapshot %d: %d changes", i, len(s.Changes))
			}
		}
	})
}
