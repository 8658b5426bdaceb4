package fcm_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	firebase "firebase.google.com/go/v4"
	"firebase.google.com/go/v4/messaging"
	"google.golang.org/api/option"

	"github.com/roomgate/roomgate/emulator/fcm"
)

const project = "demo-fcm"

func start(t *testing.T) *fcm.Server {
	t.Helper()
	s, err := fcm.NewServer("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// client is the Admin SDK's messaging client for projectID, pointed at s
// the way roomgate points it (no credentials).
func client(t *testing.T, s *fcm.Server, projectID string) *messaging.Client {
	t.Helper()
	ctx := context.Background()
	app, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: projectID},
		option.WithEndpoint(s.Endpoint()), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	c, err := app.Messaging(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSendIsRecorded(t *testing.T) {
	s := start(t)
	c := client(t, s, project)
	done := s.Wait()
	name, err := c.Send(context.Background(), &messaging.Message{
		Token:        "tok-1",
		Data:         map[string]string{"roomId": "r", "messageId": "m"},
		Notification: &messaging.Notification{Title: "T", Body: "B"},
		Android:      &messaging.AndroidConfig{Priority: "high", CollapseKey: "r"},
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	default:
		t.Error("Wait's channel is still open after an accepted message")
	}
	if !strings.HasPrefix(name, "projects/"+project+"/messages/") {
		t.Errorf("name = %q", name)
	}
	got := s.Messages()
	if len(got) != 1 {
		t.Fatalf("%d messages recorded", len(got))
	}
	m := got[0]
	if m.Project != project || m.Token != "tok-1" || m.Name != name || m.Data["roomId"] != "r" || m.Data["messageId"] != "m" || len(m.Data) != 2 {
		t.Errorf("recorded %+v", m)
	}
	if m.Notification == nil || *m.Notification != (fcm.Notification{Title: "T", Body: "B"}) {
		t.Errorf("notification = %+v", m.Notification)
	}
	var raw struct {
		Android struct {
			Priority    string `json:"priority"`
			CollapseKey string `json:"collapse_key"`
		} `json:"android"`
	}
	if err := json.Unmarshal(m.Raw, &raw); err != nil || raw.Android.Priority != "high" || raw.Android.CollapseKey != "r" {
		t.Errorf("raw = %s (%v)", m.Raw, err)
	}

	// The copy is the caller's: changing it changes no record.
	got[0].Data["roomId"] = "changed"
	got[0].Notification.Title = "changed"
	if again := s.Messages(); again[0].Data["roomId"] != "r" || again[0].Notification.Title != "T" {
		t.Errorf("a caller's edit reached the record: %+v", again[0])
	}

	s.Reset()
	if n := len(s.Messages()); n != 0 {
		t.Errorf("%d messages after Reset", n)
	}
}

// TestSendEachMixesOutcomes: one SendEach with a good token, an
// unregistered one and an invalid one gets one answer each, which the
// SDK's error predicates classify; only the good one is recorded.
func TestSendEachMixesOutcomes(t *testing.T) {
	s := start(t)
	s.MarkUnregistered("tok-gone")
	s.MarkInvalid("tok-bad")
	c := client(t, s, project)
	msgs := []*messaging.Message{{Token: "tok-ok"}, {Token: "tok-gone"}, {Token: "tok-bad"}, {Topic: "news"}}
	for _, m := range msgs {
		m.Data = map[string]string{"k": "v"}
	}
	resp, err := c.SendEach(context.Background(), msgs)
	if err != nil {
		t.Fatal(err)
	}
	if resp.SuccessCount != 2 || resp.FailureCount != 2 || len(resp.Responses) != 4 {
		t.Fatalf("success %d failure %d", resp.SuccessCount, resp.FailureCount)
	}
	r := resp.Responses
	if !r[0].Success || r[0].MessageID == "" || !r[3].Success {
		t.Errorf("good sends: %+v %+v", r[0], r[3])
	}
	if r[1].Success || !messaging.IsUnregistered(r[1].Error) || messaging.IsInvalidArgument(r[1].Error) {
		t.Errorf("unregistered token: %+v", r[1])
	}
	if r[2].Success || !messaging.IsInvalidArgument(r[2].Error) || messaging.IsUnregistered(r[2].Error) {
		t.Errorf("invalid token: %+v", r[2])
	}
	got := s.Messages()
	if len(got) != 2 || got[0].Token != "tok-ok" && got[1].Token != "tok-ok" {
		t.Errorf("recorded %+v", got)
	}
	// Reset forgets messages, not stale tokens.
	s.Reset()
	if _, err := c.Send(context.Background(), &messaging.Message{Token: "tok-gone"}); !messaging.IsUnregistered(err) {
		t.Errorf("after Reset: %v", err)
	}
}

// TestDryRunRecordsNothing: validate_only is answered like a send but not
// recorded, and still reports stale tokens.
func TestDryRunRecordsNothing(t *testing.T) {
	s := start(t)
	s.MarkUnregistered("tok-gone")
	c := client(t, s, project)
	if _, err := c.SendDryRun(context.Background(), &messaging.Message{Token: "tok-ok"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendDryRun(context.Background(), &messaging.Message{Token: "tok-gone"}); !messaging.IsUnregistered(err) {
		t.Errorf("dry run to a stale token: %v", err)
	}
	if n := len(s.Messages()); n != 0 {
		t.Errorf("%d messages recorded by dry runs", n)
	}
}

// TestOnlyDemoProjects: a client configured with a real project is
// refused (SENDER_ID_MISMATCH), so a mistake fails loudly.
func TestOnlyDemoProjects(t *testing.T) {
	s := start(t)
	c := client(t, s, "my-real-project")
	_, err := c.Send(context.Background(), &messaging.Message{Token: "tok"})
	if !messaging.IsSenderIDMismatch(err) {
		t.Errorf("real project: %v", err)
	}
	if n := len(s.Messages()); n != 0 {
		t.Errorf("%d messages recorded", n)
	}
}

// TestPayloadLimits: FCM refuses reserved data keys and payloads over
// 4096 bytes with INVALID_ARGUMENT; exactly at the limit is accepted.
func TestPayloadLimits(t *testing.T) {
	s := start(t)
	c := client(t, s, project)
	ctx := context.Background()
	for _, k := range []string{"from", "message_type", "notification", "google.x", "gcm.n.e"} {
		if _, err := c.Send(ctx, &messaging.Message{Token: "t", Data: map[string]string{k: "v"}}); !messaging.IsInvalidArgument(err) {
			t.Errorf("reserved key %q: %v", k, err)
		}
	}
	atLimit := map[string]string{"k": strings.Repeat("v", fcm.MaxPayloadBytes-1)}
	if _, err := c.Send(ctx, &messaging.Message{Token: "t", Data: atLimit}); err != nil {
		t.Errorf("payload at the limit: %v", err)
	}
	over := &messaging.Message{Token: "t", Data: atLimit, Notification: &messaging.Notification{Title: "x"}}
	if _, err := c.Send(ctx, over); !messaging.IsInvalidArgument(err) {
		t.Errorf("payload over the limit: %v", err)
	}
	if n := len(s.Messages()); n != 1 {
		t.Errorf("%d messages recorded, want 1", n)
	}
}

// TestMalformedRequests: what the SDK would never send, over plain HTTP.
func TestMalformedRequests(t *testing.T) {
	s := start(t)
	base := s.Endpoint() + "/projects/" + project
	cases := []struct {
		name, method, url, body string
		status                  int
		errStatus               string
	}{
		{"not JSON", "POST", base + "/messages:send", `{`, 400, "INVALID_ARGUMENT"},
		{"no message", "POST", base + "/messages:send", `{}`, 400, "INVALID_ARGUMENT"},
		{"no target", "POST", base + "/messages:send", `{"message":{"data":{"a":"b"}}}`, 400, "INVALID_ARGUMENT"},
		{"two targets", "POST", base + "/messages:send", `{"message":{"token":"t","topic":"x"}}`, 400, "INVALID_ARGUMENT"},
		{"a number in data", "POST", base + "/messages:send", `{"message":{"token":"t","data":{"a":1}}}`, 400, "INVALID_ARGUMENT"},
		{"too large", "POST", base + "/messages:send", `{"message":{"token":"` + strings.Repeat("t", 70<<10) + `"}}`, 400, "INVALID_ARGUMENT"},
		{"unknown method", "POST", base + "/messages:batch", `{}`, 404, "NOT_FOUND"},
		{"no project", "POST", s.Endpoint() + "/projects//messages:send", `{}`, 404, "NOT_FOUND"},
		{"GET", "GET", base + "/messages:send", ``, 405, ""},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, c.url, strings.NewReader(c.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, resp.StatusCode, b, c.status)
			continue
		}
		if c.errStatus != "" {
			var e struct {
				Error struct {
					Code   int    `json:"code"`
					Status string `json:"status"`
				} `json:"error"`
			}
			if json.Unmarshal(b, &e) != nil || e.Error.Status != c.errStatus || e.Error.Code != c.status {
				t.Errorf("%s: body %s, want status %s", c.name, b, c.errStatus)
			}
		}
	}
	if n := len(s.Messages()); n != 0 {
		t.Errorf("%d messages recorded", n)
	}
}
