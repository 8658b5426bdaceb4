package firestore

import (
	"context"
	"crypto/rand"
	"sync"
	"time"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// Transactions are optimistic (our choice; Google's emulator locks): reads
// under a read-write transaction record each document's update time, and
// Commit returns ABORTED at once if any of them changed since, so clients
// retry instead of stalling on locks as Google's emulator does. Read-only
// transactions read one snapshot, at their begin (or chosen) read time.

// txnLifetime bounds how long an id stays valid. Production expires idle
// transactions after about 270 s; an expired id is INVALID_ARGUMENT.
const txnLifetime = 270 * time.Second

type txnState struct {
	database string
	readOnly bool
	readTime time.Time // snapshot of a read-only transaction
	expires  time.Time

	// mu guards reads.
	mu    sync.Mutex
	reads map[string]time.Time // name -> update time seen (zero: missing)
}

// txnTable holds the open transactions.
type txnTable struct {
	// mu guards m.
	mu sync.Mutex
	m  map[string]*txnState
}

func (t *txnTable) begin(database string, opts *firestorepb.TransactionOptions, now time.Time) ([]byte, *txnState) {
	id := make([]byte, 16)
	rand.Read(id)
	ts := &txnState{database: database, expires: now.Add(txnLifetime), reads: map[string]time.Time{}}
	if ro := opts.GetReadOnly(); ro != nil {
		ts.readOnly = true
		ts.readTime = now
		if rt := ro.GetReadTime(); rt != nil {
			ts.readTime = rt.AsTime()
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]*txnState{}
	}
	for k, v := range t.m { // sweep expired ids
		if now.After(v.expires) {
			delete(t.m, k)
		}
	}
	if prev := opts.GetReadWrite().GetRetryTransaction(); len(prev) > 0 {
		delete(t.m, string(prev))
	}
	t.m[string(id)] = ts
	return id, ts
}

var errTxnInvalid = status.Error(codes.InvalidArgument, "The referenced transaction has expired or is no longer valid.")

// lookup returns the open transaction id of database.
func (t *txnTable) lookup(id []byte, database string) (*txnState, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ts := t.m[string(id)]
	if ts == nil || time.Now().After(ts.expires) {
		return nil, errTxnInvalid
	}
	if ts.database != database {
		return nil, status.Errorf(codes.InvalidArgument, "transaction belongs to %s, not %s", ts.database, database)
	}
	return ts, nil
}

// end removes id and returns its state.
func (t *txnTable) end(id []byte, database string) (*txnState, error) {
	ts, err := t.lookup(id, database)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	delete(t.m, string(id))
	t.mu.Unlock()
	return ts, nil
}

// recordTxnRead records that the transaction txn read name at update
// time updateTime (zero: the document was missing). The first read of a
// name wins: if it changed before a later read, Commit aborts anyway.
// Unknown or expired ids are INVALID_ARGUMENT.
func (s *server) recordTxnRead(txn []byte, name string, updateTime time.Time) error {
	_, database, _, ok := splitDatabase(name)
	if !ok {
		return status.Errorf(codes.InvalidArgument, "invalid name %q", name)
	}
	ts, err := s.txns.lookup(txn, database)
	if err != nil {
		return err
	}
	if ts.readOnly {
		return nil
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if _, seen := ts.reads[name]; !seen {
		ts.reads[name] = updateTime
	}
	return nil
}

// readSel is a resolved consistency selector.
type readSel struct {
	txn  []byte    // transaction whose reads to record (nil: none)
	at   time.Time // snapshot time; zero means "latest"
	newT []byte    // id of a transaction begun by this read (new_transaction)
}

// resolveRead interprets the consistency selector of a read request
// (transaction, new_transaction or read_time) for database. Read-write
// transactions read the latest state and record it; read-only ones and
// read_time read a snapshot.
func (s *server) resolveRead(database string, txn []byte, newTxn *firestorepb.TransactionOptions, readTime time.Time) (readSel, error) {
	switch {
	case len(txn) > 0:
		ts, err := s.txns.lookup(txn, database)
		if err != nil {
			return readSel{}, err
		}
		if ts.readOnly {
			return readSel{at: ts.readTime}, nil
		}
		return readSel{txn: txn}, nil
	case newTxn != nil:
		id, ts := s.txns.begin(database, newTxn, s.st.readTime())
		if ts.readOnly {
			return readSel{at: ts.readTime, newT: id}, nil
		}
		return readSel{txn: id, newT: id}, nil
	case !readTime.IsZero():
		return readSel{at: readTime}, nil
	}
	return readSel{}, nil
}

// validateReads reports ABORTED if any document read under ts changed.
// x is the commit in progress (store lock held).
func (ts *txnState) validateReads(x *stx) error {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for name, seen := range ts.reads {
		if !updateTimeOf(x.stored(name)).Equal(seen) {
			return status.Error(codes.Aborted, "Transaction aborted: a document it read ("+name+") was changed by another commit; retry.")
		}
	}
	return nil
}

// BeginTransaction starts a read-write or read-only transaction.
func (s *server) BeginTransaction(ctx context.Context, req *firestorepb.BeginTransactionRequest) (*firestorepb.BeginTransactionResponse, error) {
	if err := callerFrom(ctx).check(); err != nil {
		return nil, err
	}
	_, db, err := parseDatabase(req.GetDatabase())
	if err != nil {
		return nil, err
	}
	id, _ := s.txns.begin(db, req.GetOptions(), s.st.readTime())
	return &firestorepb.BeginTransactionResponse{Transaction: id}, nil
}

// Rollback discards a transaction; unknown ids are INVALID_ARGUMENT.
func (s *server) Rollback(ctx context.Context, req *firestorepb.RollbackRequest) (*emptypb.Empty, error) {
	_, db, err := parseDatabase(req.GetDatabase())
	if err != nil {
		return nil, err
	}
	if _, err := s.txns.end(req.GetTransaction(), db); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}
