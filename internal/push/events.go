package push

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"
)

// CloudEvent types the handler acts on (Firestore's names).
const (
	eventCreated = "google.cloud.firestore.document.v1.created"
	eventWritten = "google.cloud.firestore.document.v1.written"
)

// maxEventBytes bounds one delivery: a document is at most 1 MiB and an
// event may carry two.
const maxEventBytes = 3 << 20

// EventsHandler receives Eventarc's Firestore CloudEvents (binary content
// mode) for rooms/{roomId}/messages/{messageId} and pushes each new
// message once. Answers: 200 pushed or already pushed; 204 an event it
// does not act on (no retry); 400 malformed; 401 unauthenticated; 503
// another instance is pushing it right now, or a transient error (Eventarc
// retries both).
type EventsHandler struct {
	Auth      *EventAuth
	Notifier  *Notifier
	ProjectID string
	Logger    *slog.Logger
}

func (h *EventsHandler) log() *slog.Logger {
	if h.Logger != nil {
		return h.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (h *EventsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	if h.Auth == nil || h.Auth.Check(r) != nil {
		http.Error(w, "unauthenticated", http.StatusUnauthorized)
		return
	}
	typ := r.Header.Get("Ce-Type")
	if typ != eventCreated && typ != eventWritten {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxEventBytes))
	if err != nil {
		http.Error(w, "body too large or unreadable", http.StatusBadRequest)
		return
	}
	name, hasOld, err := decodeEvent(r.Header.Get("Content-Type"), body)
	if err != nil {
		http.Error(w, "malformed event: "+err.Error(), http.StatusBadRequest)
		return
	}
	roomID, messageID, ok := h.messagePath(name)
	if !ok || hasOld {
		// Not a new message of this project: nothing to push.
		w.WriteHeader(http.StatusNoContent)
		return
	}
	out, err := h.Notifier.Notify(r.Context(), roomID, messageID)
	if errors.Is(err, ErrInProgress) {
		w.Header().Set("Retry-After", "10")
		http.Error(w, "in progress elsewhere", http.StatusServiceUnavailable)
		return
	}
	if err != nil {
		h.log().Error("push: notify", "roomId", roomID, "messageId", messageID, "err", err)
		http.Error(w, "retry later", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"deduped": out.Deduped, "skipped": out.Skipped, "sent": out.Sent, "failed": out.Failed, "stale": out.Stale,
	})
}

// messagePath splits projects/{p}/databases/(default)/documents/rooms/{r}/messages/{m}.
func (h *EventsHandler) messagePath(name string) (roomID, messageID string, ok bool) {
	s := strings.Split(name, "/")
	if len(s) != 9 || s[0] != "projects" || s[1] != h.ProjectID || s[2] != "databases" || s[3] != "(default)" ||
		s[4] != "documents" || s[5] != RoomsCollection || s[7] != MessagesCollection {
		return "", "", false
	}
	return s[6], s[8], true
}

// decodeEvent returns the document name of DocumentEventData.value and
// whether old_value is present, from its protobuf (Eventarc's default) or
// JSON encoding.
func decodeEvent(contentType string, body []byte) (name string, hasOld bool, err error) {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "application/protobuf", "application/x-protobuf":
		return decodeEventProto(body)
	case "application/json":
		var ev struct {
			Value *struct {
				Name string `json:"name"`
			} `json:"value"`
			OldValue *json.RawMessage `json:"oldValue"`
		}
		if err := json.Unmarshal(body, &ev); err != nil {
			return "", false, errors.New("bad JSON")
		}
		if ev.Value == nil {
			return "", ev.OldValue != nil, nil
		}
		return ev.Value.Name, ev.OldValue != nil, nil
	}
	return "", false, errors.New("unsupported content type")
}

// decodeEventProto reads DocumentEventData{value=1, old_value=2} and
// Document{name=1} with protowire; everything else is skipped.
func decodeEventProto(b []byte) (name string, hasOld bool, err error) {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return "", false, errors.New("bad protobuf tag")
		}
		b = b[n:]
		if typ != protowire.BytesType {
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return "", false, errors.New("bad protobuf field")
			}
			b = b[n:]
			continue
		}
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return "", false, errors.New("bad protobuf bytes")
		}
		b = b[n:]
		switch num {
		case 1:
			if name, err = documentName(v); err != nil {
				return "", false, err
			}
		case 2:
			hasOld = true
		}
	}
	return name, hasOld, nil
}

func documentName(b []byte) (string, error) {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return "", errors.New("bad document tag")
		}
		b = b[n:]
		if num == 1 && typ == protowire.BytesType {
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return "", errors.New("bad document name")
			}
			return string(v), nil
		}
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return "", errors.New("bad document field")
		}
		b = b[n:]
	}
	return "", nil
}
