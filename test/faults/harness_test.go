package faults_test

import (
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

	"github.com/roomgate/roomgate/emulator/emutest"
	"github.com/roomgate/roomgate/emulator/emutest/emuclient"
	"github.com/roomgate/roomgate/internal/app"
	"github.com/roomgate/roomgate/internal/claims"
	"github.com/roomgate/roomgate/internal/config"
	"github.com/roomgate/roomgate/test/faults"
)

const projectID = "demo-roomgate"

// cluster is the emulators, a proxy in front of each, and the direct
// clients the checks use (they bypass the proxies: the checker sees the
// truth, whatever the service's network does).
type cluster struct {
	t          testing.TB
	emu        *emutest.Emulators
	fsProxy    *faults.Proxy
	authProxy  *faults.Proxy
	direct     *firestore.Client
	directAuth *auth.Client
	tokens     map[string]string
}

func newCluster(t testing.TB) *cluster {
	t.Helper()
	emu := emutest.Start(t, emutest.RulesFile("../../firestore.rules"), emutest.ProjectID(projectID), emutest.Quiet())
	c := &cluster{t: t, emu: emu, tokens: map[string]string{}}
	var err error
	if c.fsProxy, err = faults.Listen(emu.FirestoreAddr); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.fsProxy.Close() })
	if c.authProxy, err = faults.Listen(emu.AuthAddr); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.authProxy.Close() })
	c.direct = emu.AdminClient(t)
	c.directAuth = emuclient.AdminAuth(t, emu.AuthAddr, projectID)
	return c
}

// instance is one service instance, built as `roomgate serve` builds it
// (app.Assemble) but on clients that reach the emulators only through the
// proxies.
type instance struct {
	svc         *app.Service
	srv         *httptest.Server
	stopSweeper context.CancelFunc
	swept       chan struct{}
	closeFS     func() error
	crashed     bool
}

// start builds an instance. With sweep, its deletion sweeper runs (with a
// short lease and scan interval, so a test need not wait long for a dead
// instance's lease); without, the instance behaves as one that dies right
// after answering: nothing in the background.
func (c *cluster) start(sweep bool) *instance {
	t := c.t
	t.Helper()
	env := map[string]string{
		"ROOMGATE_PROJECT_ID": projectID, "FIRESTORE_EMULATOR_HOST": c.fsProxy.Addr(), "FIREBASE_AUTH_EMULATOR_HOST": c.authProxy.Addr(),
	}
	cfg, err := config.Load(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.RateLimit, cfg.MutationRate = 0, 0
	cfg.RequestTimeout = 3 * time.Second // a dependency that is down fails requests quickly
	fs, closeFS, err := emuclient.NewClient(context.Background(), c.fsProxy.Addr(), projectID, emuclient.OwnerToken)
	if err != nil {
		t.Fatal(err)
	}
	ac := emuclient.AdminAuth(t, c.authProxy.Addr(), projectID)
	in := &instance{svc: app.Assemble(cfg, fs, ac, nil), closeFS: closeFS, swept: make(chan struct{})}
	in.svc.Sweeper.LeaseTTL = time.Second
	in.svc.Sweeper.Interval = 100 * time.Millisecond
	in.srv = httptest.NewServer(in.svc.Handler)
	ctx, cancel := context.WithCancel(context.Background())
	in.stopSweeper = cancel
	if sweep {
		go func() {
			defer close(in.swept)
			_ = in.svc.Sweeper.Run(ctx)
		}()
	} else {
		close(in.swept)
	}
	t.Cleanup(in.crash)
	return in
}

// crash stops the instance abruptly: background work cancelled, open
// requests cut, clients closed.
func (in *instance) crash() {
	if in.crashed {
		return
	}
	in.crashed = true
	in.stopSweeper()
	<-in.swept
	in.srv.CloseClientConnections()
	in.srv.Close()
	in.closeFS()
}

// user creates uid in Auth (directly) and signs it in.
func (c *cluster) user(uid string) {
	c.t.Helper()
	if _, err := c.directAuth.CreateUser(context.Background(), (&auth.UserToCreate{}).UID(uid)); err != nil {
		c.t.Fatalf("CreateUser(%s): %v", uid, err)
	}
	c.signIn(uid)
}

func (c *cluster) signIn(uid string) {
	c.t.Helper()
	se, err := emuclient.SignInAs(context.Background(), c.emu.AuthAddr, c.directAuth, uid)
	if err != nil {
		c.t.Fatalf("sign-in of %s: %v", uid, err)
	}
	c.tokens[uid] = se.IDToken
}

// admit creates, admits and re-signs-in each uid through in.
func (c *cluster) admit(in *instance, uids ...string) {
	c.t.Helper()
	for _, u := range uids {
		c.user(u)
		if code, body := c.call(in, "POST", "/v1/me/claims", u, "", nil); code != 200 {
			c.t.Fatalf("admit %s: %d %s", u, code, body)
		}
		c.signIn(u)
	}
}

// makeAdmin grants uid the admin role the way `roomgate admin
// grant-role` does (claims.Manager on the service's data), then re-signs
// it in.
func (c *cluster) makeAdmin(uid string) {
	c.t.Helper()
	cm := &claims.Manager{Auth: c.directAuth, State: &claims.FirestoreState{Client: c.direct}}
	if _, err := cm.SetRole(context.Background(), "cli:faults", "faults", uid, "admin"); err != nil {
		c.t.Fatal(err)
	}
	c.signIn(uid)
}

// call sends one request to in as token's user ("" unauthenticated). A
// transport failure (the instance crashed, say) is status 0.
func (c *cluster) call(in *instance, method, path, user, body string, headers map[string]string) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, in.srv.URL+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+c.tokens[user])
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// createRoom creates a room as owner with members and returns its ID.
func (c *cluster) createRoom(in *instance, owner string, members ...string) string {
	c.t.Helper()
	if members == nil {
		members = []string{}
	}
	b, _ := json.Marshal(map[string]any{"members": members, "title": "t"})
	code, body := c.call(in, "POST", "/v1/rooms", owner, string(b), nil)
	if code != 201 {
		c.t.Fatalf("create: %d %s", code, body)
	}
	return roomID(c.t, body)
}

func roomID(t testing.TB, body string) string {
	t.Helper()
	var v struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil || v.ID == "" {
		t.Fatalf("no room id in %s", body)
	}
	return v.ID
}

// seedMessages writes n messages into room id directly (not through the
// proxies), as its members would have.
func (c *cluster) seedMessages(id string, n int) {
	c.t.Helper()
	bw := c.direct.BulkWriter(context.Background())
	col := c.direct.Collection("rooms").Doc(id).Collection("messages")
	for i := 0; i < n; i++ {
		if _, err := bw.Create(col.NewDoc(), map[string]any{"senderId": "alice", "text": "x", "createdAt": time.Now()}); err != nil {
			c.t.Fatal(err)
		}
	}
	bw.End()
}

// count is the number of documents q matches, read directly.
func (c *cluster) count(q firestore.Query) int {
	c.t.Helper()
	docs, err := q.Documents(context.Background()).GetAll()
	if err != nil {
		c.t.Fatal(err)
	}
	return len(docs)
}

func (c *cluster) messages(id string) int {
	return c.count(c.direct.Collection("rooms").Doc(id).Collection("messages").Query)
}

func (c *cluster) tombstones() int {
	return c.count(c.direct.Collection("deletions").Query)
}

// waitFor polls cond until it holds, failing after a generous minute (a
// bound on a hang, not a performance assertion).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	waitUpTo(t, what, time.Minute, cond)
}

// waitUpTo is waitFor with another bound.
func waitUpTo(t testing.TB, what string, bound time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within %v", what, bound)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
