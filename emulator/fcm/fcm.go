// Package fcm is a fake of the Firebase Cloud Messaging HTTP v1 API
// (POST /v1/projects/{project}/messages:send) for tests and local
// development. Google offers no FCM emulator; this one accepts what the
// Admin SDK's messaging client sends, records the newest messages
// (DefaultMaxMessages unless SetMaxMessages says otherwise), and answers
// as FCM does, including the UNREGISTERED error for tokens marked stale,
// INVALID_ARGUMENT for tokens marked invalid, for reserved data keys and
// for a payload over FCM's 4096-byte limit.
//
// It delivers nothing anywhere: Messages returns what was sent, for tests
// and demos to inspect. It serves only demo- projects, so a client
// pointed at it by mistake with a real project fails loudly.
package fcm

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Message is one accepted send, as FCM v1 receives it.
type Message struct {
	// Project is the project of the request path.
	Project string
	// Token is the target registration token ("" for topic/condition).
	Token string
	// Data is the data payload.
	Data map[string]string
	// Notification is the notification payload's title and body (nil if
	// absent).
	Notification *Notification
	// Raw is the request's "message" object, verbatim.
	Raw json.RawMessage
	// Name is the message ID FCM returned.
	Name string
}

// Notification is the visible part of a message.
type Notification struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// Server is a running fake FCM endpoint.
type Server struct {
	lis  net.Listener
	http *http.Server

	mu           sync.Mutex
	messages     []Message // the newest maxMessages, oldest first
	maxMessages  int
	forgotten    int // messages dropped to keep maxMessages
	unregistered map[string]bool
	invalid      map[string]bool
	seq          int
	waiters      []chan struct{}
}

// DefaultMaxMessages is how many accepted messages a Server keeps by
// default; older ones are forgotten so a long-running demo uses bounded
// memory.
const DefaultMaxMessages = 10000

// maxBody bounds one request (FCM's own limit on a message is 4 KiB of
// payload; the envelope adds some).
const maxBody = 64 << 10

// MaxPayloadBytes is FCM's limit on a message's payload. The fake counts
// the bytes of the data keys and values and of the notification title and
// body, an approximation of FCM's own count.
const MaxPayloadBytes = 4096

// NewServer listens on addr ("127.0.0.1:0" for a free port) and serves.
func NewServer(addr string) (*Server, error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{lis: lis, unregistered: map[string]bool{}, invalid: map[string]bool{}, maxMessages: DefaultMaxMessages}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/projects/{rest...}", s.send)
	s.http = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go s.http.Serve(lis)
	return s, nil
}

// Addr is the host:port the server listens on.
func (s *Server) Addr() string { return s.lis.Addr().String() }

// Endpoint is the base URL to give the messaging client
// (option.WithEndpoint): http://host:port/v1.
func (s *Server) Endpoint() string { return "http://" + s.Addr() + "/v1" }

// Close stops the server.
func (s *Server) Close() error { return s.http.Close() }

// MarkUnregistered makes later sends to token fail with UNREGISTERED, as
// FCM answers for an app that was uninstalled.
func (s *Server) MarkUnregistered(token string) {
	s.mu.Lock()
	s.unregistered[token] = true
	s.mu.Unlock()
}

// MarkInvalid makes later sends to token fail with INVALID_ARGUMENT, as
// FCM answers for a string that is not a registration token.
func (s *Server) MarkInvalid(token string) {
	s.mu.Lock()
	s.invalid[token] = true
	s.mu.Unlock()
}

// SetMaxMessages sets how many of the newest accepted messages are kept
// (n <= 0: DefaultMaxMessages), forgetting older ones at once if needed.
func (s *Server) SetMaxMessages(n int) {
	if n <= 0 {
		n = DefaultMaxMessages
	}
	s.mu.Lock()
	s.maxMessages = n
	s.trim()
	s.mu.Unlock()
}

// Forgotten returns how many accepted messages were dropped, oldest
// first, to keep the newest SetMaxMessages (Reset does not count).
func (s *Server) Forgotten() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.forgotten
}

// trim drops the oldest messages beyond maxMessages; s.mu is held.
func (s *Server) trim() {
	if over := len(s.messages) - s.maxMessages; over > 0 {
		clear(s.messages[:over])
		s.messages = s.messages[over:]
		s.forgotten += over
	}
}

// Messages returns a copy of the accepted messages kept (the newest
// SetMaxMessages; every one unless that many were exceeded), in arrival
// order; the caller may modify it.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.messages))
	for i, m := range s.messages {
		out[i] = m.clone()
	}
	return out
}

func (m Message) clone() Message {
	if m.Data != nil {
		d := make(map[string]string, len(m.Data))
		for k, v := range m.Data {
			d[k] = v
		}
		m.Data = d
	}
	if m.Notification != nil {
		n := *m.Notification
		m.Notification = &n
	}
	m.Raw = append(json.RawMessage(nil), m.Raw...)
	return m
}

// Reset forgets the recorded messages (not the stale tokens).
func (s *Server) Reset() {
	s.mu.Lock()
	s.messages = nil
	s.mu.Unlock()
}

// Wait returns a channel closed at the next accepted message.
func (s *Server) Wait() <-chan struct{} {
	ch := make(chan struct{})
	s.mu.Lock()
	s.waiters = append(s.waiters, ch)
	s.mu.Unlock()
	return ch
}

type sendRequest struct {
	ValidateOnly bool            `json:"validate_only"`
	Message      json.RawMessage `json:"message"`
}

type wireMessage struct {
	Token        string            `json:"token"`
	Topic        string            `json:"topic"`
	Condition    string            `json:"condition"`
	Data         map[string]string `json:"data"`
	Notification *Notification     `json:"notification"`
}

func (s *Server) send(w http.ResponseWriter, r *http.Request) {
	rest := r.PathValue("rest")
	project, op, ok := strings.Cut(rest, "/")
	if !ok || op != "messages:send" || project == "" {
		fcmError(w, http.StatusNotFound, "NOT_FOUND", "", "unknown method")
		return
	}
	if !strings.HasPrefix(project, "demo-") {
		fcmError(w, http.StatusForbidden, "PERMISSION_DENIED", "SENDER_ID_MISMATCH",
			fmt.Sprintf("the fake FCM serves only demo- projects, not %q", project))
		return
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(b) > maxBody {
		fcmError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "request too large or unreadable")
		return
	}
	var req sendRequest
	var m wireMessage
	if err := json.Unmarshal(b, &req); err != nil || len(req.Message) == 0 || json.Unmarshal(req.Message, &m) != nil {
		fcmError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "malformed message")
		return
	}
	if n := btoi(m.Token != "") + btoi(m.Topic != "") + btoi(m.Condition != ""); n != 1 {
		fcmError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "exactly one of token, topic or condition is required")
		return
	}
	if msg := checkPayload(m); msg != "" {
		fcmError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "INVALID_ARGUMENT", msg)
		return
	}
	s.mu.Lock()
	if s.invalid[m.Token] {
		s.mu.Unlock()
		fcmError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token")
		return
	}
	if s.unregistered[m.Token] {
		s.mu.Unlock()
		fcmError(w, http.StatusNotFound, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found.")
		return
	}
	s.seq++
	name := fmt.Sprintf("projects/%s/messages/%d", project, s.seq)
	if !req.ValidateOnly {
		s.messages = append(s.messages, Message{Project: project, Token: m.Token, Data: m.Data,
			Notification: m.Notification, Raw: append(json.RawMessage(nil), req.Message...), Name: name})
		s.trim()
		for _, ch := range s.waiters {
			close(ch)
		}
		s.waiters = nil
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"name": name})
}

// checkPayload returns why FCM would refuse m's payload ("" if it would
// not): a reserved data key, or more than MaxPayloadBytes.
func checkPayload(m wireMessage) string {
	n := 0
	for k, v := range m.Data {
		if reservedKey(k) {
			return fmt.Sprintf("Invalid data payload key: %s", k)
		}
		n += len(k) + len(v)
	}
	if m.Notification != nil {
		n += len(m.Notification.Title) + len(m.Notification.Body)
	}
	if n > MaxPayloadBytes {
		return "Message is too big"
	}
	return ""
}

// reservedKey reports the data keys FCM refuses: "from",
// "message_type", "notification" and the "google." and "gcm." prefixes.
func reservedKey(k string) bool {
	switch {
	case k == "from", k == "message_type", k == "notification",
		strings.HasPrefix(k, "google."), strings.HasPrefix(k, "gcm."):
		return true
	}
	return false
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// fcmError writes FCM's error shape; the Admin SDK reads errorCode from
// the FcmError detail (messaging.IsUnregistered and friends).
func fcmError(w http.ResponseWriter, code int, status, fcmCode, msg string) {
	body := map[string]any{"code": code, "message": msg, "status": status}
	if fcmCode != "" {
		body["details"] = []map[string]string{{
			"@type":     "type.googleapis.com/google.firebase.fcm.v1.FcmError",
			"errorCode": fcmCode,
		}}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": body})
}
