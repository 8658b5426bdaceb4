package rules

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// outcome is what the rules decided.
type outcome int

const (
	allow outcome = iota + 1
	deny
)

func (o outcome) String() string {
	switch o {
	case allow:
		return "allow"
	case deny:
		return "deny"
	}
	return "?"
}

// op is one client operation, as the Go client performs it.
type op int

const (
	opGet         op = iota + 1 // DocumentRef.Get (BatchGetDocuments)
	opList                      // every document of a collection (RunQuery, no filter)
	opQuery                     // a collection query with where/orderBy/limit
	opGroup                     // a collection-group query over every collection with ID path
	opCount                     // a COUNT aggregation over the collection query
	opListenDoc                 // DocumentRef.Snapshots until the first snapshot
	opListenQuery               // Query.Snapshots until the first snapshot
	opAdd                       // CollectionRef.NewDoc().Create (addDoc)
	opCreate                    // DocumentRef.Create
	opSet                       // DocumentRef.Set (create or overwrite)
	opMerge                     // DocumentRef.Set(..., MergeAll)
	opUpdate                    // DocumentRef.Update with data's keys as field paths
	opDelete                    // DocumentRef.Delete
)

var opNames = map[op]string{
	opGet: "get", opList: "list", opQuery: "query", opGroup: "collection-group query",
	opCount: "count", opListenDoc: "listen", opListenQuery: "listen query",
	opAdd: "add", opCreate: "create", opSet: "set", opMerge: "set-merge",
	opUpdate: "update", opDelete: "delete",
}

func (o op) String() string { return opNames[o] }

func (o op) writes() bool { return o >= opAdd }

// cond is one where clause of a query.
type cond struct {
	field, op string
	value     any
}

// ruleCase is one row of the table: who does what, over which state,
// and what the rules must decide.
type ruleCase struct {
	name  string
	as    user
	op    op
	path  string         // document path, or collection path (collection ID for opGroup)
	data  map[string]any // create/set data; for opUpdate, field path -> value
	where []cond
	order string // orderBy field (ascending)
	limit int
	state state
	want  outcome
	// rows, when not zero, is how many documents an allowed read returns.
	rows int
	// also are further writes committed in one batch with the case's own
	// write, which then stands or falls with them.
	also []write
}

// write is one more write of a batch.
type write struct {
	op   op // opCreate, opSet, opMerge, opUpdate or opDelete
	path string
	data map[string]any
}

// caseID in a case's data stands for the ID of the case's own document
// (the generated one for opAdd): a batch can name the message it sends.
type caseID struct{}

func (c ruleCase) String() string {
	return fmt.Sprintf("%s: %s %s %s", c.name, c.as.name, c.op, c.path)
}

// ago is a client-chosen time relative to now (negative for the past),
// resolved when the request is sent.
type ago time.Duration

// resolve replaces ago values with absolute times, recursively.
func resolve(v any) any { return resolveID(v, "") }

// resolveID is resolve that also replaces caseID values with id.
func resolveID(v any, id string) any {
	switch x := v.(type) {
	case ago:
		return time.Now().Add(time.Duration(x))
	case caseID:
		return id
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = resolveID(e, id)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = resolveID(e, id)
		}
		return l
	}
	return v
}

// errUnexpected marks a result that is neither a clean allow nor a
// PERMISSION_DENIED: a broken case or emulator, not a rules decision.
var errUnexpected = errors.New("unexpected result")

// opTimeout bounds one operation (a listener that never answers).
const opTimeout = 10 * time.Second

// run prepares c's state and performs c's operation as c's user. It
// returns what the rules decided, or an error wrapping errUnexpected.
func (h *harness) run(ctx context.Context, c ruleCase) (outcome, error) {
	if err := h.prepare(ctx, c.state); err != nil {
		return 0, fmt.Errorf("%w: prepare state: %v", errUnexpected, err)
	}
	client, err := h.as(c.as)
	if err != nil {
		return 0, fmt.Errorf("%w: client: %v", errUnexpected, err)
	}
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()

	if c.op.writes() {
		return h.write(ctx, client, c)
	}
	n, err := read(ctx, client, c)
	switch {
	case err == nil:
		if c.rows != 0 && n != c.rows {
			return allow, fmt.Errorf("%w: allowed read returned %d documents, want %d", errUnexpected, n, c.rows)
		}
		return allow, nil
	case status.Code(err) == codes.NotFound && c.op == opGet:
		return allow, nil // allowed to learn that the document is missing
	case status.Code(err) == codes.PermissionDenied:
		return deny, nil
	}
	return 0, fmt.Errorf("%w: %v", errUnexpected, err)
}

// query builds c's query on client.
func query(client *firestore.Client, c ruleCase) firestore.Query {
	var q firestore.Query
	if c.op == opGroup {
		q = client.CollectionGroup(c.path).Query
	} else {
		q = client.Collection(c.path).Query
	}
	for _, w := range c.where {
		q = q.Where(w.field, w.op, resolve(w.value))
	}
	if c.order != "" {
		q = q.OrderBy(c.order, firestore.Asc)
	}
	if c.limit > 0 {
		q = q.Limit(c.limit)
	}
	return q
}

// read performs a read operation and returns how many documents it saw.
func read(ctx context.Context, client *firestore.Client, c ruleCase) (int, error) {
	switch c.op {
	case opGet:
		_, err := client.Doc(c.path).Get(ctx)
		return 1, err
	case opList, opQuery, opGroup:
		docs, err := query(client, c).Documents(ctx).GetAll()
		return len(docs), err
	case opCount:
		q := query(client, c)
		res, err := q.NewAggregationQuery().WithCount("n").Get(ctx)
		if err != nil {
			return 0, err
		}
		n, ok := res["n"].(interface{ GetIntegerValue() int64 })
		if !ok {
			return 0, fmt.Errorf("count result %T", res["n"])
		}
		return int(n.GetIntegerValue()), nil
	case opListenDoc:
		it := client.Doc(c.path).Snapshots(ctx)
		defer it.Stop()
		_, err := it.Next()
		return 1, err
	case opListenQuery:
		it := query(client, c).Snapshots(ctx)
		defer it.Stop()
		snap, err := it.Next()
		if err != nil {
			return 0, err
		}
		return snap.Size, nil
	}
	return 0, fmt.Errorf("not a read: %v", c.op)
}

// write performs a write and checks, as admin, that the store changed
// exactly when the rules allowed the write.
func (h *harness) write(ctx context.Context, client *firestore.Client, c ruleCase) (outcome, error) {
	ref, path := client.Doc(c.path), c.path
	if c.op == opAdd {
		ref = client.Collection(c.path).NewDoc()
		path = c.path + "/" + ref.ID
	}
	before, err := h.snapshot(ctx, path)
	if err != nil {
		return 0, fmt.Errorf("%w: read before write: %v", errUnexpected, err)
	}
	alsoBefore := make([]string, len(c.also))
	for i, w := range c.also {
		if alsoBefore[i], err = h.snapshot(ctx, w.path); err != nil {
			return 0, fmt.Errorf("%w: read before write: %v", errUnexpected, err)
		}
	}
	data, _ := resolveID(c.data, ref.ID).(map[string]any)
	if len(c.also) == 0 {
		err = writeOne(ctx, ref, c.op, data)
	} else {
		b := client.Batch()
		batchOne(b, ref, c.op, data)
		for _, w := range c.also {
			d, _ := resolveID(w.data, ref.ID).(map[string]any)
			batchOne(b, client.Doc(w.path), w.op, d)
		}
		_, err = b.Commit(ctx)
	}
	var got outcome
	switch code := status.Code(err); {
	case err == nil:
		got = allow
		h.seeded = "" // the store no longer holds a known state
	case code == codes.PermissionDenied:
		got = deny
	default:
		return 0, fmt.Errorf("%w: %v", errUnexpected, err)
	}
	after, err := h.snapshot(ctx, path)
	if err != nil {
		return 0, fmt.Errorf("%w: read after write: %v", errUnexpected, err)
	}
	if got == deny {
		for i, w := range c.also {
			now, err := h.snapshot(ctx, w.path)
			if err != nil {
				return 0, fmt.Errorf("%w: read after write: %v", errUnexpected, err)
			}
			if now != alsoBefore[i] {
				return got, fmt.Errorf("%w: denied batch changed %s: %s -> %s", errUnexpected, w.path, alsoBefore[i], now)
			}
		}
	}
	switch {
	case got == deny && after != before:
		return got, fmt.Errorf("%w: denied write changed the store: %s -> %s", errUnexpected, before, after)
	case got == allow && c.op == opDelete && after != "missing":
		return got, fmt.Errorf("%w: allowed delete left %s", errUnexpected, after)
	case got == allow && c.op != opDelete && (after == "missing" || after == before):
		return got, fmt.Errorf("%w: allowed write did not store anything (%s)", errUnexpected, after)
	}
	return got, nil
}

// writeOne performs one write of op on ref.
func writeOne(ctx context.Context, ref *firestore.DocumentRef, o op, data map[string]any) error {
	var err error
	switch o {
	case opAdd, opCreate:
		_, err = ref.Create(ctx, data)
	case opSet:
		_, err = ref.Set(ctx, data)
	case opMerge:
		_, err = ref.Set(ctx, data, firestore.MergeAll)
	case opUpdate:
		_, err = ref.Update(ctx, updates(data))
	case opDelete:
		_, err = ref.Delete(ctx)
	}
	return err
}

// batchOne adds one write of op on ref to b.
func batchOne(b *firestore.WriteBatch, ref *firestore.DocumentRef, o op, data map[string]any) {
	switch o {
	case opAdd, opCreate:
		b.Create(ref, data)
	case opSet:
		b.Set(ref, data)
	case opMerge:
		b.Set(ref, data, firestore.MergeAll)
	case opUpdate:
		b.Update(ref, updates(data))
	case opDelete:
		b.Delete(ref)
	}
}

// updates turns field path -> value into the Go client's update list, in
// a stable order.
func updates(data map[string]any) []firestore.Update {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var ups []firestore.Update
	for _, k := range keys {
		ups = append(ups, firestore.Update{FieldPath: strings.Split(k, "."), Value: data[k]})
	}
	return ups
}

// snapshot describes a stored document by its update time ("missing"
// when absent), as admin.
func (h *harness) snapshot(ctx context.Context, path string) (string, error) {
	s, err := h.admin.Doc(path).Get(ctx)
	if status.Code(err) == codes.NotFound {
		return "missing", nil
	}
	if err != nil {
		return "", err
	}
	return s.UpdateTime.Format(time.RFC3339Nano), nil
}
