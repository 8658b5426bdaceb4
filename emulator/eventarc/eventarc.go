// Package eventarc delivers the Firestore emulator's document writes as
// CloudEvents over HTTP, the way Eventarc delivers Firestore triggers to a
// Cloud Run service: binary content mode, one POST per changed document,
// the ce-* attributes Firestore sets and a protobuf DocumentEventData
// body (Content-Type application/protobuf).
//
// Google's emulator suite has no such delivery for Cloud Run targets; this
// one exists so the roomgate push path can be tested end to end. Requests
// carry no Authorization header: a receiver that accepts them must do so
// only for demo- projects.
package eventarc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/roomgate/roomgate/emulator/firestore"
)

// Event types, as Firestore names them.
const (
	TypeCreated = "google.cloud.firestore.document.v1.created"
	TypeUpdated = "google.cloud.firestore.document.v1.updated"
	TypeDeleted = "google.cloud.firestore.document.v1.deleted"
	TypeWritten = "google.cloud.firestore.document.v1.written"
)

// Trigger is one delivery: documents matching Document (a path pattern
// relative to the database root with * for one segment, e.g.
// "rooms/*/messages/*") and events of Type go to URL.
type Trigger struct {
	Type     string
	Document string
	URL      string
}

// Options configures Start.
type Options struct {
	// Attempts is how often a delivery is tried before it is dropped
	// (default 5); a 2xx answer ends it.
	Attempts int
	// Client sends the requests (default: a client with a 10 s timeout).
	Client *http.Client
	// Logf receives delivery failures (nil: silence).
	Logf func(format string, args ...any)
}

// Deliverer forwards matching writes of one Firestore emulator until Close.
type Deliverer struct {
	triggers []Trigger
	opts     Options
	cancel   func()
	queue    chan event
	wg       sync.WaitGroup
	pending  sync.WaitGroup
	seq      atomic.Uint64

	mu     sync.Mutex
	closed bool
}

type event struct {
	url, typ string
	w        firestore.DocumentWrite
}

// Start subscribes to srv's commits and delivers the writes the triggers
// select, in commit order, from one background goroutine.
func Start(srv *firestore.Server, triggers []Trigger, opts Options) (*Deliverer, error) {
	for _, t := range triggers {
		switch t.Type {
		case TypeCreated, TypeUpdated, TypeDeleted, TypeWritten:
		default:
			return nil, fmt.Errorf("eventarc: unknown event type %q", t.Type)
		}
		if t.Document == "" || t.URL == "" {
			return nil, errors.New("eventarc: a trigger needs Document and URL")
		}
	}
	if opts.Attempts <= 0 {
		opts.Attempts = 5
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: 10 * time.Second}
	}
	d := &Deliverer{triggers: triggers, opts: opts, queue: make(chan event, 1024)}
	d.wg.Add(1)
	go d.run()
	d.cancel = srv.OnCommit(d.observe)
	return d, nil
}

// observe runs on the committing goroutine: it only queues.
func (d *Deliverer) observe(ws []firestore.DocumentWrite) {
	for _, w := range ws {
		rel, ok := relativeName(w.Name)
		if !ok {
			continue
		}
		for _, t := range d.triggers {
			if !matches(t.Document, rel) || !wants(t.Type, w) {
				continue
			}
			d.mu.Lock()
			if d.closed {
				d.mu.Unlock()
				return
			}
			d.pending.Add(1)
			d.mu.Unlock()
			d.queue <- event{url: t.URL, typ: t.Type, w: w}
		}
	}
}

func wants(typ string, w firestore.DocumentWrite) bool {
	switch typ {
	case TypeCreated:
		return w.Before == nil && w.After != nil
	case TypeUpdated:
		return w.Before != nil && w.After != nil
	case TypeDeleted:
		return w.Before != nil && w.After == nil
	}
	return true
}

func (d *Deliverer) run() {
	defer d.wg.Done()
	for ev := range d.queue {
		d.deliver(ev)
		d.pending.Done()
	}
}

// Flush waits until every write committed so far has been delivered (or
// dropped after its attempts).
func (d *Deliverer) Flush() { d.pending.Wait() }

// Close stops observing, delivers what is queued and returns.
func (d *Deliverer) Close() {
	d.cancel()
	d.mu.Lock()
	already := d.closed
	d.closed = true
	d.mu.Unlock()
	if already {
		return
	}
	close(d.queue)
	d.wg.Wait()
}

func (d *Deliverer) deliver(ev event) {
	body, err := EncodeDocumentEventData(ev.w.After, ev.w.Before)
	if err != nil {
		d.logf("eventarc: encode %s: %v", ev.w.Name, err)
		return
	}
	id := strconv.FormatUint(d.seq.Add(1), 10) + "-" + strconv.FormatInt(ev.w.CommitTime.UnixNano(), 36)
	for attempt := 1; attempt <= d.opts.Attempts; attempt++ {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, ev.url, bytes.NewReader(body))
		if err != nil {
			d.logf("eventarc: %v", err)
			return
		}
		SetHeaders(req.Header, ev.typ, id, ev.w.Name, ev.w.CommitTime)
		resp, err := d.opts.Client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode/100 == 2 {
				return
			}
			err = fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		d.logf("eventarc: deliver %s to %s (attempt %d): %v", ev.w.Name, ev.url, attempt, err)
		time.Sleep(time.Duration(attempt*attempt) * 20 * time.Millisecond)
	}
}

func (d *Deliverer) logf(format string, args ...any) {
	if d.opts.Logf != nil {
		d.opts.Logf(format, args...)
	}
}

// SetHeaders sets the binary-mode CloudEvent attributes of a Firestore
// event for the document with full resource name name.
func SetHeaders(h http.Header, typ, id, name string, t time.Time) {
	project, database := "", ""
	if segs := strings.Split(name, "/"); len(segs) >= 4 {
		project, database = segs[1], segs[3]
	}
	rel, _ := relativeName(name)
	h.Set("Content-Type", "application/protobuf")
	h.Set("Ce-Specversion", "1.0")
	h.Set("Ce-Type", typ)
	h.Set("Ce-Id", id)
	h.Set("Ce-Source", "//firestore.googleapis.com/projects/"+project+"/databases/"+database)
	h.Set("Ce-Subject", "documents/"+rel)
	h.Set("Ce-Time", t.UTC().Format(time.RFC3339Nano))
	h.Set("Ce-Dataschema", "https://github.com/googleapis/google-cloudevents/blob/main/proto/google/events/cloud/firestore/v1/data.proto")
	h.Set("Ce-Project", project)
	h.Set("Ce-Database", database)
	h.Set("Ce-Namespace", "(default)")
	h.Set("Ce-Document", rel)
	h.Set("Ce-Location", "nam5")
}

// EncodeDocumentEventData encodes google.events.cloud.firestore.v1
// DocumentEventData{value, old_value}. Its Document message has the same
// field numbers and types as google.firestore.v1.Document, so the
// emulator's documents are embedded as they are.
func EncodeDocumentEventData(value, oldValue *firestorepb.Document) ([]byte, error) {
	var b []byte
	for _, f := range []struct {
		num protowire.Number
		doc *firestorepb.Document
	}{{1, value}, {2, oldValue}} {
		if f.doc == nil {
			continue
		}
		m, err := proto.Marshal(f.doc)
		if err != nil {
			return nil, err
		}
		b = protowire.AppendTag(b, f.num, protowire.BytesType)
		b = protowire.AppendBytes(b, m)
	}
	return b, nil
}

// relativeName strips "projects/p/databases/d/documents/".
func relativeName(name string) (string, bool) {
	segs := strings.SplitN(name, "/", 6)
	if len(segs) != 6 || segs[0] != "projects" || segs[2] != "databases" || segs[4] != "documents" {
		return "", false
	}
	return segs[5], true
}

// matches reports whether rel fits pattern segment by segment (* is one
// segment).
func matches(pattern, rel string) bool {
	ps, rs := strings.Split(pattern, "/"), strings.Split(rel, "/")
	if len(ps) != len(rs) {
		return false
	}
	for i := range ps {
		if ok, _ := path.Match(ps[i], rs[i]); !ok && ps[i] != rs[i] {
			return false
		}
	}
	return true
}
