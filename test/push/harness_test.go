package push

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/firestore"
	"firebase.google.com/go/v4/auth"

	"github.com/roomgate/roomgate/emulator/embedded"
	"github.com/roomgate/roomgate/emulator/eventarc"
	"github.com/roomgate/roomgate/emulator/fcm"
	"github.com/roomgate/roomgate/internal/app"
	"github.com/roomgate/roomgate/internal/config"
)

// secretText is in every message the tests send: no push may contain it.
const secretText = "the vault code is 4711, do not tell anyone"

const roomTitle = "Secret project Zebra"

type suite struct {
	t      *testing.T
	emu    *embedded.Emulators
	fcm    *fcm.Server
	svc    *app.Service
	srv    *httptest.Server
	fs     *firestore.Client
	auth   *auth.Client
	tokens map[string]string
	cfg    config.Config
}

func newSuite(t *testing.T) *suite {
	t.Helper()
	emu := embedded.StartT(t, embedded.Options{RulesPath: "../../firestore.rules"})
	emu.Setenv(t)
	f, err := fcm.NewServer("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	s := &suite{t: t, emu: emu, fcm: f, tokens: map[string]string{}}
	s.svc, s.srv, s.cfg = s.instance()
	s.fs, s.auth = s.svc.Firestore, s.svc.Auth
	return s
}

// instance starts one more service instance on the same emulators.
func (s *suite) instance() (*app.Service, *httptest.Server, config.Config) {
	s.t.Helper()
	env := map[string]string{"ROOMGATE_FCM_EMULATOR_HOST": s.fcm.Addr()}
	for _, kv := range s.emu.Env() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	cfg, err := config.Load(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		s.t.Fatal(err)
	}
	cfg.RateLimit, cfg.MutationRate = 0, 0
	cfg.PushMaxDevices = 3
	svc, err := app.Build(context.Background(), cfg, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	srv := httptest.NewServer(svc.Handler)
	s.t.Cleanup(func() { srv.Close(); svc.Close() })
	return svc, srv, cfg
}

// admit creates uid, admits it through the API and signs it in again.
func (s *suite) admit(uids ...string) {
	s.t.Helper()
	for _, u := range uids {
		if _, err := s.auth.CreateUser(context.Background(), (&auth.UserToCreate{}).UID(u)); err != nil {
			s.t.Fatal(err)
		}
		s.signIn(u)
		if code, body := s.call(s.srv.URL, "POST", "/v1/me/claims", u, ""); code != 200 {
			s.t.Fatalf("admit %s: %d %s", u, code, body)
		}
		s.signIn(u)
	}
}

func (s *suite) signIn(uid string) {
	s.t.Helper()
	ct, err := s.auth.CustomToken(context.Background(), uid)
	if err != nil {
		s.t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"token": ct, "returnSecureToken": true})
	resp, err := http.Post("http://"+s.emu.AuthAddr+"/identitytoolkit.googleapis.com/v1/accounts:signInWithCustomToken?key=push", "application/json", bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		IDToken string `json:"idToken"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.IDToken == "" {
		s.t.Fatalf("sign-in of %s: %d %v", uid, resp.StatusCode, err)
	}
	s.tokens[uid] = out.IDToken
}

// call sends one request as uid ("" = no token) to base.
func (s *suite) call(base, method, path, uid, body string) (int, string) {
	s.t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	if uid != "" {
		req.Header.Set("Authorization", "Bearer "+s.tokens[uid])
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// must is call that fails the test unless the status is want.
func (s *suite) must(want int, method, path, uid, body string) string {
	s.t.Helper()
	code, b := s.call(s.srv.URL, method, path, uid, body)
	if code != want {
		s.t.Fatalf("%s %s as %s = %d, want %d: %s", method, path, uid, code, want, b)
	}
	return b
}

// room creates a room owned by owner with members, returns its ID.
func (s *suite) room(owner string, members ...string) string {
	s.t.Helper()
	mj, _ := json.Marshal(members)
	b := s.must(201, "POST", "/v1/rooms", owner, `{"members":`+string(mj)+`,"title":"`+roomTitle+`","kind":"group"}`)
	var r struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(b), &r); err != nil || r.ID == "" {
		s.t.Fatalf("create room: %s", b)
	}
	return r.ID
}

// device registers installation for uid with an FCM token.
func (s *suite) device(uid, installation, token string) {
	s.t.Helper()
	s.must(204, "PUT", "/v1/me/devices/"+installation, uid, `{"token":"`+token+`","platform":"android"}`)
}

// send writes a message as uid, the way a client does (its own ID token,
// under the rules), and returns its ID.
func (s *suite) send(uid, roomID string) string {
	s.t.Helper()
	return s.sendText(uid, roomID, secretText)
}

// sendText is send with the given text.
func (s *suite) sendText(uid, roomID, text string) string {
	s.t.Helper()
	ctx := context.Background()
	c, done, err := clientAs(ctx, s.emu.FirestoreAddr, s.emu.ProjectID, s.tokens[uid])
	if err != nil {
		s.t.Fatal(err)
	}
	defer done()
	ref, _, err := c.Collection("rooms").Doc(roomID).Collection("messages").Add(ctx, map[string]any{
		"senderId": uid, "text": text, "createdAt": firestore.ServerTimestamp,
	})
	if err != nil {
		s.t.Fatalf("%s sends: %v", uid, err)
	}
	return ref.ID
}

// deliver posts the created event of roomID/messageID to base as
// Eventarc would, and returns the status.
func (s *suite) deliver(base, roomID, messageID string) int {
	s.t.Helper()
	ctx := context.Background()
	snap, err := s.fs.Collection("rooms").Doc(roomID).Collection("messages").Doc(messageID).Get(ctx)
	if err != nil {
		s.t.Fatal(err)
	}
	name := "projects/" + s.emu.ProjectID + "/databases/(default)/documents/rooms/" + roomID + "/messages/" + messageID
	body, err := eventarc.EncodeDocumentEventData(docProto(name, snap), nil)
	if err != nil {
		s.t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", base+"/events/firestore", bytes.NewReader(body))
	eventarc.SetHeaders(req.Header, eventarc.TypeCreated, "redelivery-"+messageID, name, time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// deliverUntilDone redelivers while the answer is 503 (in progress
// elsewhere), as Eventarc retries, and returns the final status.
func (s *suite) deliverUntilDone(base, roomID, messageID string) int {
	for i := 0; ; i++ {
		code := s.deliver(base, roomID, messageID)
		if code != http.StatusServiceUnavailable || i == 200 {
			return code
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// pushesFor returns the recorded FCM messages of messageID.
func (s *suite) pushesFor(messageID string) []fcm.Message {
	var out []fcm.Message
	for _, m := range s.fcm.Messages() {
		if m.Data["messageId"] == messageID {
			out = append(out, m)
		}
	}
	return out
}

// tokensOf lists the target tokens of msgs, sorted as sent.
func tokensOf(msgs []fcm.Message) map[string]int {
	out := map[string]int{}
	for _, m := range msgs {
		out[m.Token]++
	}
	return out
}

// assertNoSecret fails if any recorded push carries the message text, the
// room title or a sender's uid.
func (s *suite) assertNoSecret(senders ...string) {
	s.t.Helper()
	for _, m := range s.fcm.Messages() {
		raw := string(m.Raw)
		for _, bad := range append([]string{secretText, "4711", roomTitle, "Zebra"}, senders...) {
			if strings.Contains(raw, bad) {
				s.t.Errorf("push to %s contains %q: %s", m.Token, bad, raw)
			}
		}
	}
}

// devices lists uid's registered installation IDs (read with the admin
// client).
func (s *suite) devices(uid string) []string {
	s.t.Helper()
	docs, err := s.fs.Collection("users").Doc(uid).Collection("devices").Documents(context.Background()).GetAll()
	if err != nil {
		s.t.Fatal(err)
	}
	var ids []string
	for _, d := range docs {
		ids = append(ids, d.Ref.ID)
	}
	return ids
}

// waitPushes waits until messageID has n pushes (the listener source is
// asynchronous) or fails after a generous bound.
func (s *suite) waitPushes(messageID string, n int) []fcm.Message {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ch := s.fcm.Wait()
		if got := s.pushesFor(messageID); len(got) >= n {
			return got
		}
		select {
		case <-ch:
		case <-time.After(time.Until(deadline)):
			s.t.Fatalf("message %s: %d pushes, want %d", messageID, len(s.pushesFor(messageID)), n)
		}
	}
}

// user creates uid and signs it in, without admitting it.
func (s *suite) user(uid string) {
	s.t.Helper()
	if _, err := s.auth.CreateUser(context.Background(), (&auth.UserToCreate{}).UID(uid)); err != nil {
		s.t.Fatal(err)
	}
	s.signIn(uid)
}
