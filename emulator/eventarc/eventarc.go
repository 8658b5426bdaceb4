// Package eventarc delivers the Firestore emulator's document writes as
// CloudEvents over HTTP, the way Eventarc delivers Firestore triggers to a
// Cloud Run service: binary content mode, one POST per changed document,
// the ce-* attributes Firestore sets and a protobuf DocumentEventData
// body (Content-Type application/protobuf).
//
// Google's emulator suite has no such delivery for Cloud Run targets; this
// one exists so the roomgate push path can be tested end to end.
//
// Delivery is best effort and bounded: commits never wait for the
// receiver; a bounded queue drops its oldest events when the receiver
// falls behind (Options.MaxQueue, Options.MaxQueueBytes), and Close gives
// up on what it cannot deliver within Options.CloseTimeout. Drops are
// logged and counted (Deliverer.Stats).
//
// Requests carry no Authorization header: a receiver that accepts them
// must do so only for demo- projects.
package eventarc

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
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
// relative to the database root in which * or a named wildcard such as
// {roomId} stands for one whole segment, e.g. "rooms/*/messages/*" or
// "rooms/{roomId}/messages/{messageId}") and events of Type go to URL.
// Start refuses patterns it cannot match exactly (** and partial-segment
// wildcards), so a trigger never silently selects nothing.
type Trigger struct {
	Type     string
	Document string
	URL      string
}

// Options configures Start. Zero values select the defaults.
type Options struct {
	// Attempts is how often a delivery is tried before it is dropped
	// (default 5); a 2xx answer ends it. Once Close has been called a
	// failed attempt is not retried.
	Attempts int
	// Client sends the requests (default: a client with a 10 s timeout).
	Client *http.Client
	// RetryDelay paces retries: the wait after failed attempt n is
	// n*n*RetryDelay (default 20 ms).
	RetryDelay time.Duration
	// MaxQueue caps the events waiting for delivery (default
	// DefaultMaxQueue). A commit that would exceed it drops the oldest
	// waiting events, with a log line: commits never wait for the
	// receiver, and a receiver that is down or slow costs bounded memory.
	MaxQueue int
	// MaxQueueBytes caps the encoded size of the documents (before and
	// after) held by waiting events (default DefaultMaxQueueBytes); past
	// it the oldest events are dropped as for MaxQueue.
	MaxQueueBytes int
	// CloseTimeout bounds Close (default DefaultCloseTimeout): Close
	// first delivers what is queued, one attempt per event, and when the
	// timeout passes aborts the request in flight and drops the rest,
	// with a log line.
	CloseTimeout time.Duration
	// Logf receives delivery failures and drops (nil: silence).
	Logf func(format string, args ...any)
}

// Defaults of Options.
const (
	DefaultMaxQueue      = 10000
	DefaultMaxQueueBytes = 64 << 20
	DefaultCloseTimeout  = 2 * time.Second
)

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
		if err := checkPattern(t.Document); err != nil {
			return nil, err
		}
		if u, err := url.Parse(t.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("eventarc: trigger URL %q is not an http(s) URL", t.URL)
		}
	}
	if opts.Attempts <= 0 {
		opts.Attempts = 5
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if opts.RetryDelay <= 0 {
		opts.RetryDelay = 20 * time.Millisecond
	}
	if opts.MaxQueue <= 0 {
		opts.MaxQueue = DefaultMaxQueue
	}
	if opts.MaxQueueBytes <= 0 {
		opts.MaxQueueBytes = DefaultMaxQueueBytes
	}
	if opts.CloseTimeout <= 0 {
		opts.CloseTimeout = DefaultCloseTimeout
	}
	d := newDeliverer(triggers, opts)
	go d.run()
	d.cancel = srv.OnCommit(d.observe)
	return d, nil
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

// checkPattern refuses a Document pattern matches cannot honour exactly:
// empty segments, ** (any number of segments) and wildcards inside a
// segment.
func checkPattern(pattern string) error {
	for _, seg := range strings.Split(pattern, "/") {
		switch {
		case seg == "":
			return fmt.Errorf("eventarc: document pattern %q has an empty segment", pattern)
		case wildcard(seg):
		case strings.ContainsAny(seg, "*{}"):
			return fmt.Errorf("eventarc: document pattern %q: segment %q is neither a name nor a one-segment wildcard (* or {name})", pattern, seg)
		}
	}
	return nil
}

// wildcard reports whether a pattern segment stands for any one segment.
func wildcard(seg string) bool {
	if seg == "*" {
		return true
	}
	name, ok := strings.CutPrefix(seg, "{")
	name, ok2 := strings.CutSuffix(name, "}")
	return ok && ok2 && name != "" && !strings.ContainsAny(name, "{}*=")
}

// matches reports whether rel fits pattern segment by segment (a
// wildcard is one segment; anything else matches itself only).
func matches(pattern, rel string) bool {
	ps, rs := strings.Split(pattern, "/"), strings.Split(rel, "/")
	if len(ps) != len(rs) {
		return false
	}
	for i := range ps {
		if !wildcard(ps[i]) && ps[i] != rs[i] {
			return false
		}
	}
	return true
}
