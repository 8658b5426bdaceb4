package push

import (
	"context"
	"strings"
	"testing"
)

// TestRoomPreviewOptIn goes through PATCH /v1/rooms/{id}: a room's pushes
// are generic until its owner or a room admin opts in; then they carry
// exactly the documented preview (the room title, the text as one line
// cut to 100 characters, never the sender); opting out makes them
// generic again. Members without a room role get 403, non-members 404,
// a direct room 409 and a bad body 400; each change is audited.
func TestRoomPreviewOptIn(t *testing.T) {
	s, room := fixture(t)
	s.admit("dave")
	path := "/v1/rooms/" + room

	// Default: generic pushes, and the room says so.
	if b := s.must(200, "GET", path, "bob", ""); !strings.Contains(b, `"pushPreview":false`) {
		t.Errorf("new room: %s", b)
	}
	m0 := s.sendText("carol", room, secretText)
	s.deliver(s.srv.URL, room, m0)
	s.assertGeneric(m0, 2)
	s.assertNoSecret("carol")

	// Refusals change nothing.
	for _, c := range []struct {
		who, body string
		want      int
		contains  string
	}{
		{"bob", `{"pushPreview":true}`, 403, "room_role_required"},
		{"dave", `{"pushPreview":true}`, 404, "room_not_found"},
		{"", `{"pushPreview":true}`, 401, ""},
		{"alice", `{"pushPreview":"true"}`, 400, `"field":"pushPreview"`},
		{"alice", `{"pushPreview":1}`, 400, `"field":"pushPreview"`},
		{"alice", `{"pushPreview":null}`, 400, ""},
		{"alice", `{"pushPreview":true,"preview":true}`, 400, `"field":"preview"`},
		{"alice", `{"pushPreview":tru}`, 400, ""},
	} {
		if code, b := s.call(s.srv.URL, "PATCH", path, c.who, c.body); code != c.want || !strings.Contains(b, c.contains) {
			t.Errorf("%s PATCH %s = %d %s, want %d with %q", c.who, c.body, code, b, c.want, c.contains)
		}
	}
	m1 := s.sendText("carol", room, secretText)
	s.deliver(s.srv.URL, room, m1)
	s.assertGeneric(m1, 2)

	// The owner opts in.
	if b := s.must(200, "PATCH", path, "alice", `{"pushPreview":true}`); !strings.Contains(b, `"pushPreview":true`) {
		t.Errorf("opt-in answer: %s", b)
	}
	m2 := s.sendText("carol", room, secretText)
	s.deliver(s.srv.URL, room, m2)
	s.assertPreview(m2, roomTitle, secretText, "carol")

	// A long, multi-line text with a bidi override shows as one line of
	// at most 100 characters.
	long := "first line\n\u202Esecond line\u202C " + strings.Repeat("x", 200)
	want := "first line second line " + strings.Repeat("x", 100-1-len("first line second line ")) + "…"
	m3 := s.sendText("carol", room, long)
	s.deliver(s.srv.URL, room, m3)
	s.assertPreview(m3, roomTitle, want, "carol")

	// A room admin may opt out again; pushes are generic once more.
	s.must(200, "PUT", path+"/members/bob", "alice", `{"role":"admin"}`)
	if b := s.must(200, "PATCH", path, "bob", `{"pushPreview":false}`); !strings.Contains(b, `"pushPreview":false`) {
		t.Errorf("opt-out answer: %s", b)
	}
	m4 := s.sendText("carol", room, secretText)
	s.deliver(s.srv.URL, room, m4)
	s.assertGeneric(m4, 2)
	// Setting the value it has is a no-op (no audit record).
	s.must(200, "PATCH", path, "bob", `{"pushPreview":false}`)

	// Audit: one record per change, in order.
	docs, err := s.fs.Collection("audit").Where("action", "==", "room.push_preview_changed").Documents(context.Background()).GetAll()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, d := range docs {
		data := d.Data()
		det, _ := data["details"].(map[string]any)
		if data["target"] != room {
			t.Errorf("audit record for another target: %v", data)
			continue
		}
		seen[data["actor"].(string)+":"+boolText(det["to"])] = true
	}
	if len(docs) != 2 || !seen["alice:true"] || !seen["bob:false"] {
		t.Errorf("audit records %d: %v, want alice:true and bob:false", len(docs), seen)
	}

	// Direct rooms cannot opt in.
	b := s.must(201, "POST", "/v1/rooms", "alice", `{"kind":"direct","members":["dave"]}`)
	dm := b[strings.Index(b, `"id":"`)+6:]
	dm = dm[:strings.Index(dm, `"`)]
	if code, body := s.call(s.srv.URL, "PATCH", "/v1/rooms/"+dm, "alice", `{"pushPreview":true}`); code != 409 || !strings.Contains(body, "direct_room_fixed") {
		t.Errorf("direct room opt-in = %d %s", code, body)
	}
}

func boolText(v any) string {
	if b, ok := v.(bool); ok && b {
		return "true"
	}
	return "false"
}

// assertGeneric checks that messageID has n pushes with the generic
// text and data {roomId, messageId} only.
func (s *suite) assertGeneric(messageID string, n int) {
	s.t.Helper()
	got := s.pushesFor(messageID)
	if len(got) != n {
		s.t.Fatalf("message %s: %d pushes, want %d", messageID, len(got), n)
	}
	for _, m := range got {
		if m.Notification == nil || m.Notification.Title != "New message" || m.Notification.Body != "You have a new message" || len(m.Data) != 2 {
			s.t.Errorf("message %s: push %s, want the generic text", messageID, m.Raw)
		}
		for _, bad := range []string{secretText, "4711", roomTitle, "Zebra", "first line"} {
			if strings.Contains(string(m.Raw), bad) {
				s.t.Errorf("message %s: generic push contains %q: %s", messageID, bad, m.Raw)
			}
		}
	}
}

// assertPreview checks that messageID was pushed to the two other
// members with exactly title and body, data {roomId, messageId}, and
// nothing naming sender.
func (s *suite) assertPreview(messageID, title, body, sender string) {
	s.t.Helper()
	got := s.pushesFor(messageID)
	if len(got) != 2 {
		s.t.Fatalf("message %s: %d pushes, want 2", messageID, len(got))
	}
	for _, m := range got {
		if m.Notification == nil || m.Notification.Title != title || m.Notification.Body != body {
			s.t.Errorf("message %s: notification %+v, want %q / %q", messageID, m.Notification, title, body)
		}
		if len(m.Data) != 2 || m.Data["messageId"] != messageID {
			s.t.Errorf("message %s: data %v", messageID, m.Data)
		}
		if strings.Contains(string(m.Raw), sender) {
			s.t.Errorf("message %s: push names the sender %q: %s", messageID, sender, m.Raw)
		}
	}
}
