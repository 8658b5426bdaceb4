package firestore

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"cloud.google.com/go/firestore"
	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Two goroutines increment one counter in transactions; the loser of
// each conflict gets ABORTED at commit and the Go client retries it. The
// final value counts every increment exactly once.
func TestTransactionRealConflict(t *testing.T) {
	srv := newTestServer(t)
	c := adminClient(t, srv)
	ctx := context.Background()
	ref := c.Doc("counters/shared")
	ref.Set(ctx, map[string]any{"n": 0})

	const perWorker = 10
	var attempts atomic.Int64
	var wg sync.WaitGroup
	// Both workers read before either commits, at least on the first
	// attempt, so a conflict is certain.
	var barrier sync.WaitGroup
	barrier.Add(2)
	errs := make(chan error, 2)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first := true
			for i := 0; i < perWorker; i++ {
				err := c.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
					attempts.Add(1)
					snap, err := tx.Get(ref)
					if err != nil {
						return err
					}
					if first {
						first = false
						barrier.Done()
						barrier.Wait()
					}
					n, _ := snap.DataAt("n")
					return tx.Set(ref, map[string]any{"n": n.(int64) + 1})
				}, firestore.MaxAttempts(50))
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	snap, _ := ref.Get(ctx)
	if got := snap.Data()["n"]; got != int64(2*perWorker) {
		t.Errorf("n = %v, want %d", got, 2*perWorker)
	}
	if attempts.Load() <= 2*perWorker {
		t.Errorf("%d attempts for %d transactions: no conflict was retried", attempts.Load(), 2*perWorker)
	}
}

func TestTransactionAbortsOnChangedRead(t *testing.T) {
	srv := newTestServer(t)
	c := adminClient(t, srv)
	ctx := context.Background()
	ref := c.Doc("c/d")
	ref.Set(ctx, map[string]any{"v": 1})
	tries := 0
	err := c.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		tries++
		if _, err := tx.Get(ref); err != nil {
			return err
		}
		// Another writer changes the doc after our read, every time.
		if _, err := ref.Set(ctx, map[string]any{"v": tries + 100}); err != nil {
			return err
		}
		return tx.Set(c.Doc("c/other"), map[string]any{"from": "txn"})
	}, firestore.MaxAttempts(2))
	if status.Code(err) != codes.Aborted {
		t.Fatalf("err = %v, want Aborted after 2 attempts", err)
	}
	if tries != 2 {
		t.Errorf("tries = %d, want 2 (Go retries ABORTED)", tries)
	}
	if _, err := c.Doc("c/other").Get(ctx); status.Code(err) != codes.NotFound {
		t.Errorf("aborted transaction wrote: %v", err)
	}
	// A missing doc read, then created outside: the creation and the
	// commit cannot both succeed (conflictingWrite: ours aborts the
	// commit, Google's emulator makes the creation wait and fail).
	var setErr error
	err = c.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		if _, err := tx.Get(c.Doc("c/late")); status.Code(err) != codes.NotFound {
			return err
		}
		_, setErr = c.Doc("c/late").Set(ctx, map[string]any{"v": 1})
		return tx.Set(c.Doc("c/other"), map[string]any{})
	}, firestore.MaxAttempts(1))
	conflictingWrite(t, func() error { return setErr }, func() error { return err })
}

func TestReadOnlyTransactionSeesSnapshot(t *testing.T) {
	srv := newTestServer(t)
	c := adminClient(t, srv)
	ctx := context.Background()
	a, b := c.Doc("c/a"), c.Doc("c/b")
	a.Set(ctx, map[string]any{"v": 1})
	b.Set(ctx, map[string]any{"v": 1})
	err := c.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		s1, err := tx.Get(a)
		if err != nil {
			return err
		}
		b.Set(ctx, map[string]any{"v": 2}) // after the snapshot
		s2, err := tx.Get(b)
		if err != nil {
			return err
		}
		if s1.Data()["v"] != int64(1) || s2.Data()["v"] != int64(1) {
			return errors.New("read-only transaction did not read one snapshot")
		}
		return nil
	}, firestore.ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	// Writes in a read-only transaction are refused.
	rc := rawClient(t, srv, "owner")
	bt, err := rc.BeginTransaction(ctx, &firestorepb.BeginTransactionRequest{Database: testDB, Options: &firestorepb.TransactionOptions{Mode: &firestorepb.TransactionOptions_ReadOnly_{ReadOnly: &firestorepb.TransactionOptions_ReadOnly{}}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = rc.Commit(ctx, &firestorepb.CommitRequest{Database: testDB, Transaction: bt.Transaction, Writes: []*firestorepb.Write{{Operation: &firestorepb.Write_Delete{Delete: testDB + "/documents/c/a"}}}})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("write in read-only txn: %v, want InvalidArgument", err)
	}
}

func TestRollbackAndUnknownTransaction(t *testing.T) {
	srv := newTestServer(t)
	rc := rawClient(t, srv, "owner")
	ctx := context.Background()
	bt, err := rc.BeginTransaction(ctx, &firestorepb.BeginTransactionRequest{Database: testDB})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rc.Rollback(ctx, &firestorepb.RollbackRequest{Database: testDB, Transaction: bt.Transaction}); err != nil {
		t.Fatal(err)
	}
	// A second rollback: ours refuses the finished id, Google's emulator
	// accepts it (observed); the SDKs ignore rollback errors.
	if _, err := rc.Rollback(ctx, &firestorepb.RollbackRequest{Database: testDB, Transaction: bt.Transaction}); !external() && status.Code(err) != codes.InvalidArgument {
		t.Errorf("second rollback: %v, want InvalidArgument", err)
	}
	if _, err := rc.Commit(ctx, &firestorepb.CommitRequest{Database: testDB, Transaction: bt.Transaction}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("commit after rollback: %v, want InvalidArgument", err)
	}
	_, err = rc.Commit(ctx, &firestorepb.CommitRequest{Database: testDB, Transaction: []byte("nope")})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("commit of unknown txn: %v, want InvalidArgument", err)
	}
	bg, err := rc.BatchGetDocuments(ctx, &firestorepb.BatchGetDocumentsRequest{Database: testDB, Documents: []string{testDB + "/documents/c/a"}, ConsistencySelector: &firestorepb.BatchGetDocumentsRequest_Transaction{Transaction: []byte("nope")}})
	if err == nil {
		_, err = bg.Recv()
	}
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("read under unknown txn: %v, want InvalidArgument", err)
	}
	// new_transaction on BatchGet returns the id in the first response,
	// and a commit of a read-write txn with no writes succeeds.
	bg, err = rc.BatchGetDocuments(ctx, &firestorepb.BatchGetDocumentsRequest{Database: testDB, Documents: []string{testDB + "/documents/c/a"}, ConsistencySelector: &firestorepb.BatchGetDocumentsRequest_NewTransaction{NewTransaction: &firestorepb.TransactionOptions{}}})
	if err != nil {
		t.Fatal(err)
	}
	// The id comes with the first result (ours) or alone before it
	// (Google's emulator).
	r, err := bg.Recv()
	if err != nil || len(r.Transaction) == 0 {
		t.Fatalf("new_transaction read: %v %v", r, err)
	}
	txn := r.Transaction
	if r.Result == nil {
		if r, err = bg.Recv(); err != nil || len(r.Transaction) != 0 {
			t.Fatalf("new_transaction result: %v %v", r, err)
		}
	}
	if r.GetMissing() == "" {
		t.Errorf("new_transaction read of a missing doc: %v", r)
	}
	if _, err := rc.Commit(ctx, &firestorepb.CommitRequest{Database: testDB, Transaction: txn}); err != nil {
		t.Errorf("empty commit of txn: %v", err)
	}
}
