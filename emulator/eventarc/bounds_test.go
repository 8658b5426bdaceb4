package eventarc_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roomgate/roomgate/emulator/eventarc"
)

// logBuffer collects a deliverer's log lines.
type logBuffer struct {
	t     *testing.T
	mu    sync.Mutex
	lines []string
}

func (l *logBuffer) logf(f string, a ...any) {
	s := fmt.Sprintf(f, a...)
	l.t.Log(s)
	l.mu.Lock()
	l.lines = append(l.lines, s)
	l.mu.Unlock()
}

func (l *logBuffer) contains(sub string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Contains(strings.Join(l.lines, "\n"), sub)
}

// stuckReceiver holds its first request until release is called and
// signals started when that request arrives; later requests get 200.
func stuckReceiver(t *testing.T) (rcv *receiver, started chan struct{}, release func()) {
	started, held := make(chan struct{}), make(chan struct{})
	rcv = newReceiver(t, func(n int, _ delivery) int {
		if n == 1 {
			close(started)
			<-held
		}
		return http.StatusOK
	})
	var once sync.Once
	release = func() { once.Do(func() { close(held) }) }
	t.Cleanup(release) // runs before the receiver's own Close
	return rcv, started, release
}

func keys(ds []delivery) string {
	var ks []string
	for _, d := range ds {
		ks = append(ks, d.value.GetFields()["k"].GetStringValue())
	}
	return strings.Join(ks, ",")
}

// TestFullQueueDropsOldest: while the receiver holds the first event, a
// queue of 3 keeps the 3 newest events, also when one commit alone
// exceeds it; the drops are logged and counted, and the kept events go
// out in commit order.
func TestFullQueueDropsOldest(t *testing.T) {
	srv, c := emulator(t)
	rcv, started, release := stuckReceiver(t)
	logs := &logBuffer{t: t}
	d := start(t, srv, []eventarc.Trigger{{Type: eventarc.TypeCreated, Document: "q/*", URL: rcv.srv.URL}},
		eventarc.Options{MaxQueue: 3, Logf: logs.logf})
	ctx := context.Background()
	create := func(k string) {
		t.Helper()
		if _, err := c.Collection("q").Doc(k).Create(ctx, map[string]any{"k": k}); err != nil {
			t.Fatal(err)
		}
	}
	create("a")
	<-started // a is in flight, out of the queue
	create("b")
	create("c")
	batch := c.Batch()
	for _, k := range []string{"d", "e", "f", "g"} {
		batch.Create(c.Collection("q").Doc(k), map[string]any{"k": k})
	}
	if _, err := batch.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	release()
	d.Flush()
	if got := keys(rcv.deliveries()); got != "a,e,f,g" {
		t.Errorf("delivered %s, want a,e,f,g", got)
	}
	want := eventarc.Stats{Queued: 7, Delivered: 4, Overflowed: 3}
	if st := d.Stats(); st != want {
		t.Errorf("stats %+v, want %+v", st, want)
	}
	if !logs.contains("queue full: dropped the 3 oldest events (first " + docName("q/b") + ")") {
		t.Error("no drop logged")
	}
}

// TestQueueBytesCap: the documents' size caps the queue too.
func TestQueueBytesCap(t *testing.T) {
	srv, c := emulator(t)
	rcv, started, release := stuckReceiver(t)
	d := start(t, srv, []eventarc.Trigger{{Type: eventarc.TypeCreated, Document: "q/*", URL: rcv.srv.URL}},
		eventarc.Options{MaxQueueBytes: 2500})
	ctx := context.Background()
	pad := strings.Repeat("x", 1000) // each event holds a bit over 1000 bytes
	for i, k := range []string{"a", "b", "c", "d"} {
		if _, err := c.Collection("q").Doc(k).Create(ctx, map[string]any{"k": k, "pad": pad}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			<-started
		}
	}
	release()
	d.Flush()
	if got := keys(rcv.deliveries()); got != "a,c,d" {
		t.Errorf("delivered %s, want a,c,d", got)
	}
	if st := d.Stats(); st.Overflowed != 1 || st.Delivered != 3 {
		t.Errorf("stats %+v, want 1 overflowed and 3 delivered", st)
	}
}

// TestCloseIsBoundedAgainstAHangingReceiver: Close returns although the
// receiver never answers: past CloseTimeout it aborts the request in
// flight and drops the queue. The guard is the test's own deadline.
func TestCloseIsBoundedAgainstAHangingReceiver(t *testing.T) {
	srv, c := emulator(t)
	started, release := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	requests := 0
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests++
		if requests == 1 {
			close(started)
		}
		mu.Unlock()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(hang.Close)
	t.Cleanup(func() { close(release) })
	logs := &logBuffer{t: t}
	d, err := eventarc.Start(srv, []eventarc.Trigger{{Type: eventarc.TypeCreated, Document: "h/*", URL: hang.URL}},
		eventarc.Options{CloseTimeout: 50 * time.Millisecond, Logf: logs.logf})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i, k := range []string{"a", "b", "c"} {
		if _, err := c.Collection("h").Doc(k).Create(ctx, map[string]any{"k": k}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			<-started
		}
	}
	d.Close()
	d.Flush() // returns: nothing is left waiting
	want := eventarc.Stats{Queued: 3, Abandoned: 3}
	if st := d.Stats(); st != want {
		t.Errorf("stats %+v, want %+v", st, want)
	}
	mu.Lock()
	if requests != 1 {
		t.Errorf("%d requests, want 1", requests)
	}
	mu.Unlock()
	if !logs.contains("abandoned "+docName("h/a")) || !logs.contains("dropped 2 undelivered events") {
		t.Error("the abandoned events were not logged")
	}
	d.Close() // a second Close returns too
}

// TestCloseStopsRetrying: once Close has begun, a failed attempt is not
// retried: the event waiting for its retry is dropped and the queued one
// is tried once. Retry delay and CloseTimeout are far beyond the test's
// deadline, so Close can only return by not retrying.
func TestCloseStopsRetrying(t *testing.T) {
	srv, c := emulator(t)
	started := make(chan struct{})
	rcv := newReceiver(t, func(n int, _ delivery) int {
		if n == 1 {
			close(started)
		}
		return http.StatusServiceUnavailable
	})
	d, err := eventarc.Start(srv, []eventarc.Trigger{{Type: eventarc.TypeCreated, Document: "r/*", URL: rcv.srv.URL}},
		eventarc.Options{RetryDelay: time.Hour, CloseTimeout: time.Hour, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i, k := range []string{"a", "b"} {
		if _, err := c.Collection("r").Doc(k).Create(ctx, map[string]any{"k": k}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			<-started
		}
	}
	d.Close()
	if got := keys(rcv.deliveries()); got != "a,b" {
		t.Errorf("requests %s, want a,b", got)
	}
	want := eventarc.Stats{Queued: 2, Failed: 2}
	if st := d.Stats(); st != want {
		t.Errorf("stats %+v, want %+v", st, want)
	}
}
