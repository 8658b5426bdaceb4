package firestore

import (
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func putDoc(t *testing.T, st *store, name string, v int64) time.Time {
	t.Helper()
	ct, err := st.commit(func(x *stx) error {
		ts := timestamppb.New(x.t)
		x.put(name, &firestorepb.Document{Name: name, Fields: map[string]*firestorepb.Value{"v": intValue(v)}, CreateTime: ts, UpdateTime: ts})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

func TestStoreSnapshotsAndHistory(t *testing.T) {
	st := newStore()
	const a = "projects/p/databases/(default)/documents/c/a"
	t1 := putDoc(t, st, a, 1)
	rt := st.readTime()
	t2 := putDoc(t, st, a, 2)
	if !t2.After(rt) || rt.Before(t1) {
		t.Fatalf("times: commit %v, read %v, commit %v", t1, rt, t2)
	}
	old, err := st.getAt(a, rt)
	if err != nil || old.Fields["v"].GetIntegerValue() != 1 {
		t.Errorf("snapshot read = %v, %v; want v=1", old, err)
	}
	if d, _ := st.getAt(a, t1.Add(-time.Microsecond)); d != nil {
		t.Errorf("read before creation = %v, want nil", d)
	}
	// The returned document is a copy.
	cur := st.get(a)
	cur.Fields["v"] = intValue(99)
	if st.get(a).Fields["v"].GetIntegerValue() != 2 {
		t.Error("get returned the stored document, not a copy")
	}
	// History is bounded; reads before it fail instead of lying.
	for i := 0; i < historyLen+5; i++ {
		putDoc(t, st, a, int64(i))
	}
	if _, err := st.getAt(a, rt); err == nil {
		t.Error("read older than the retained history succeeded")
	}
}

func TestStoreListAndNotifyOrder(t *testing.T) {
	st := newStore()
	var mu sync.Mutex
	var seen []time.Time
	cancel := st.subscribe(func(ev *commitEvent) {
		mu.Lock()
		seen = append(seen, ev.commitTime)
		mu.Unlock()
	})
	names := []string{
		"projects/p/databases/(default)/documents/rooms/b",
		"projects/p/databases/(default)/documents/rooms/a",
		"projects/p/databases/(default)/documents/rooms/a/messages/m1",
		"projects/p/databases/(default)/documents/other/x/messages/m2",
		"projects/q/databases/(default)/documents/rooms/z",
	}
	var wg sync.WaitGroup
	for i, n := range names {
		wg.Add(1)
		go func() { defer wg.Done(); putDoc(t, st, n, int64(i)) }()
	}
	wg.Wait()
	cancel()
	putDoc(t, st, names[0], 100) // not seen after cancel
	mu.Lock()
	if len(seen) != len(names) {
		t.Fatalf("%d notifications, want %d", len(seen), len(names))
	}
	for i := 1; i < len(seen); i++ {
		if !seen[i].After(seen[i-1]) {
			t.Errorf("notifications out of commit order: %v", seen)
		}
	}
	mu.Unlock()
	root := "projects/p/databases/(default)/documents"
	rooms := st.listCollection(root, "rooms", false)
	if len(rooms) != 2 || rooms[0].Name != names[1] || rooms[1].Name != names[0] {
		t.Errorf("rooms = %v", rooms)
	}
	msgs := st.listCollection(root, "messages", true)
	if len(msgs) != 2 || msgs[0].Name != names[3] {
		t.Errorf("messages group = %v", msgs)
	}
	st.clear("projects/p/databases/(default)")
	if len(st.listCollection(root, "rooms", false)) != 0 || st.get(names[4]) == nil {
		t.Error("clear removed the wrong documents")
	}
}

func TestNamesValidation(t *testing.T) {
	good := []string{"projects/p/databases/(default)/documents/c/d", "projects/p/databases/db2/documents/c/d/e/f", "projects/p/databases/(default)/documents/c/__id12__"}
	for _, n := range good {
		if _, err := parseDocName(n); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	bad := []string{"", "projects/p/databases/(default)/documents/c", "projects/p/databases/(default)/documents/c//d", "projects/p/databases/(default)/documents/c/..",
		"projects/p/databases/(default)/documents/c/__x__", "projects/p/documents/c/d", "projects//databases/(default)/documents/c/d"}
	for _, n := range bad {
		if _, err := parseDocName(n); err == nil {
			t.Errorf("%q accepted", n)
		}
	}
	if comparePaths("c/a/x/y", "c/a0") >= 0 || comparePaths("c/a", "c/a/x/y") >= 0 {
		t.Error("key order is not segment-wise")
	}
}
