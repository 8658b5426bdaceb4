package eventarc

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/roomgate/roomgate/emulator/firestore"
)

// Deliverer forwards matching writes of one Firestore emulator until Close.
type Deliverer struct {
	triggers []Trigger
	opts     Options
	cancel   func() // unsubscribes from commits
	seq      atomic.Uint64
	stopped  chan struct{} // closed when run returns

	closeOnce sync.Once
	closing   chan struct{}   // closed when Close begins: no more retries
	abort     context.Context // done when Close's timeout has passed
	abortNow  context.CancelFunc

	// mu guards the queue and the counters; cond signals a change of
	// them or of closed. observe runs on the committing goroutine and
	// never waits for the receiver: a full queue drops its oldest events.
	mu         sync.Mutex
	cond       *sync.Cond
	queue      []event
	queueBytes int
	stats      Stats
	closed     bool
}

// Stats counts a Deliverer's events. Every queued event ends in exactly
// one of Delivered, Failed, Overflowed or Abandoned, or is still waiting.
type Stats struct {
	// Queued counts the events the triggers selected.
	Queued uint64
	// Delivered counts the events a receiver answered with 2xx.
	Delivered uint64
	// Failed counts the events dropped after their attempts failed (or
	// after a failed attempt once Close had begun).
	Failed uint64
	// Overflowed counts the events dropped unsent, oldest first, because
	// the queue was full (Options.MaxQueue, Options.MaxQueueBytes).
	Overflowed uint64
	// Abandoned counts the events dropped unsent, or cut off in flight,
	// when Close's timeout passed.
	Abandoned uint64
}

func (s Stats) finished() uint64 { return s.Delivered + s.Failed + s.Overflowed + s.Abandoned }

type event struct {
	url, typ string
	w        firestore.DocumentWrite
	size     int // encoded size of w's documents
}

// outcome is how one delivery ended.
type outcome int

const (
	delivered outcome = iota
	failed
	abandoned
)

func newDeliverer(triggers []Trigger, opts Options) *Deliverer {
	d := &Deliverer{
		triggers: append([]Trigger(nil), triggers...),
		opts:     opts,
		stopped:  make(chan struct{}),
		closing:  make(chan struct{}),
	}
	d.abort, d.abortNow = context.WithCancel(context.Background())
	d.cond = sync.NewCond(&d.mu)
	return d
}

// observe runs on the committing goroutine: it only queues, dropping the
// oldest events when the queue is full, and never blocks on delivery.
func (d *Deliverer) observe(ws []firestore.DocumentWrite) {
	var evs []event
	for _, w := range ws {
		rel, ok := relativeName(w.Name)
		if !ok {
			continue
		}
		for _, t := range d.triggers {
			if matches(t.Document, rel) && wants(t.Type, w) {
				evs = append(evs, event{url: t.URL, typ: t.Type, w: w, size: proto.Size(w.Before) + proto.Size(w.After)})
			}
		}
	}
	if len(evs) == 0 {
		return
	}
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	d.queue = append(d.queue, evs...)
	d.stats.Queued += uint64(len(evs))
	for _, ev := range evs {
		d.queueBytes += ev.size
	}
	n := 0
	for n < len(d.queue) && (len(d.queue)-n > d.opts.MaxQueue || d.queueBytes > d.opts.MaxQueueBytes) {
		d.queueBytes -= d.queue[n].size
		n++
	}
	var oldest string
	if n > 0 {
		oldest = d.queue[0].w.Name
		clear(d.queue[:n]) // release the documents
		d.queue = d.queue[n:]
		d.stats.Overflowed += uint64(n)
	}
	total, waiting := d.stats.Overflowed, len(d.queue)
	d.cond.Broadcast()
	d.mu.Unlock()
	if n > 0 {
		d.logf("eventarc: queue full: dropped the %d oldest events (first %s); %d waiting, %d dropped so far", n, oldest, waiting, total)
	}
}

// run delivers the queue in order until Close has been called and the
// queue is empty; once Close's timeout has passed it drops what is left.
func (d *Deliverer) run() {
	defer close(d.stopped)
	for {
		d.mu.Lock()
		for len(d.queue) == 0 && !d.closed {
			d.cond.Wait()
		}
		if len(d.queue) == 0 {
			d.mu.Unlock()
			return
		}
		if d.abort.Err() != nil {
			n := len(d.queue)
			d.queue, d.queueBytes = nil, 0
			d.stats.Abandoned += uint64(n)
			d.cond.Broadcast()
			d.mu.Unlock()
			d.logf("eventarc: closing: dropped %d undelivered events", n)
			continue
		}
		ev := d.queue[0]
		d.queue[0] = event{}
		d.queue = d.queue[1:]
		d.queueBytes -= ev.size
		d.mu.Unlock()

		out := d.deliver(ev)

		d.mu.Lock()
		switch out {
		case delivered:
			d.stats.Delivered++
		case failed:
			d.stats.Failed++
		case abandoned:
			d.stats.Abandoned++
		}
		d.cond.Broadcast()
		d.mu.Unlock()
	}
}

// Stats returns the event counters so far.
func (d *Deliverer) Stats() Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stats
}

// Flush waits until every write committed so far has been delivered or
// dropped (after its attempts, by the queue cap or by Close). Writes
// committed meanwhile do not prolong the wait.
func (d *Deliverer) Flush() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for target := d.stats.Queued; d.stats.finished() < target; {
		d.cond.Wait()
	}
}

// Close stops observing and delivers what is queued, without retries,
// for at most Options.CloseTimeout; then it aborts the request in flight,
// drops the rest with a log line, and returns. Writes committed after it
// are not delivered. It may be called more than once.
func (d *Deliverer) Close() {
	d.closeOnce.Do(func() {
		d.cancel()
		d.mu.Lock()
		d.closed = true
		d.cond.Broadcast()
		d.mu.Unlock()
		close(d.closing)
	})
	t := time.NewTimer(d.opts.CloseTimeout)
	defer t.Stop()
	select {
	case <-d.stopped:
		return
	case <-t.C:
	}
	d.abortNow()
	<-d.stopped
}

// deliver POSTs ev until a 2xx answer, its attempts run out, or Close
// ends the retries or aborts it.
func (d *Deliverer) deliver(ev event) outcome {
	body, err := EncodeDocumentEventData(ev.w.After, ev.w.Before)
	if err != nil {
		d.logf("eventarc: encode %s: %v", ev.w.Name, err)
		return failed
	}
	id := strconv.FormatUint(d.seq.Add(1), 10) + "-" + strconv.FormatInt(ev.w.CommitTime.UnixNano(), 36)
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(d.abort, http.MethodPost, ev.url, bytes.NewReader(body))
		if err != nil {
			d.logf("eventarc: %v", err)
			return failed
		}
		SetHeaders(req.Header, ev.typ, id, ev.w.Name, ev.w.CommitTime)
		resp, err := d.opts.Client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode/100 == 2 {
				return delivered
			}
			err = fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		if d.abort.Err() != nil {
			d.logf("eventarc: closing: abandoned %s for %s in flight", ev.w.Name, ev.url)
			return abandoned
		}
		d.logf("eventarc: deliver %s to %s (attempt %d of %d): %v", ev.w.Name, ev.url, attempt, d.opts.Attempts, err)
		if attempt >= d.opts.Attempts {
			break
		}
		select {
		case <-time.After(time.Duration(attempt*attempt) * d.opts.RetryDelay):
		case <-d.closing:
		}
		if d.isClosing() {
			d.logf("eventarc: closing: dropped %s for %s without retrying", ev.w.Name, ev.url)
			return failed
		}
	}
	d.logf("eventarc: dropped %s for %s after %d attempts", ev.w.Name, ev.url, d.opts.Attempts)
	return failed
}

func (d *Deliverer) isClosing() bool {
	select {
	case <-d.closing:
		return true
	default:
		return false
	}
}

func (d *Deliverer) logf(format string, args ...any) {
	if d.opts.Logf != nil {
		d.opts.Logf(format, args...)
	}
}
