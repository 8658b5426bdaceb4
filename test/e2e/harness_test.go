// Package e2e drives roomgate's real handler stack (internal/app, exactly
// as `roomgate serve` builds it) over HTTP against the in-process Firestore
// and Auth emulators with firestore.rules loaded (or, when
// FIRESTORE_EMULATOR_HOST and FIREBASE_AUTH_EMULATOR_HOST are both set,
// against those, e.g. Google's Firestore emulator: see emulators_test.go), through the real Admin
// SDK and Firestore client. Tests are scenario tables: method, path, token,
// body, expected status and body fragments.
package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"cloud.google.com/go/firestore"
	"firebase.google.com/go/v4/auth"

	"github.com/roomgate/roomgate/emulator/emutest/emuclient"
	"github.com/roomgate/roomgate/internal/app"
	"github.com/roomgate/roomgate/internal/config"
)

// projectID is the project of the embedded emulators; with external
// emulators (see emulators_test.go) it is GCLOUD_PROJECT instead.
const projectID = "demo-roomgate"

// suite is one running service with its emulators and fixtures.
type suite struct {
	t   testing.TB
	emu *emulators
	svc *app.Service
	srv *httptest.Server
	fs  *firestore.Client
	// auth is the service's Admin SDK Auth client.
	auth *auth.Client
	// tokens maps a fixture user name (= uid) to a current ID token.
	tokens map[string]string
	// vars holds values captured by steps ({room} etc. in paths).
	vars map[string]string
}

// suiteOptions are newSuiteWith's rarely needed knobs.
type suiteOptions struct {
	// cutFirestore lets emulators.stopFirestore take Firestore away from
	// the service (see emulators_test.go).
	cutFirestore bool
}

// newSuite starts emulators and the service. mod may change the config
// (the defaults here switch rate limits off; the rate-limit test turns
// them back on).
func newSuite(t testing.TB, mod func(*config.Config)) *suite {
	t.Helper()
	return newSuiteWith(t, mod, suiteOptions{})
}

func newSuiteWith(t testing.TB, mod func(*config.Config), opts suiteOptions) *suite {
	t.Helper()
	emu := startEmulators(t, opts)
	svc, srv := serve(t, emu, mod)
	return &suite{t: t, emu: emu, svc: svc, srv: srv, fs: svc.Firestore, auth: svc.Auth, tokens: map[string]string{}, vars: map[string]string{}}
}

// serve builds one service instance on emu, as `roomgate serve` would,
// and serves it on a loopback port until the test ends.
func serve(t testing.TB, emu *emulators, mod func(*config.Config)) (*app.Service, *httptest.Server) {
	t.Helper()
	cfg, err := config.Load(nil, emu.getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.RateLimit, cfg.MutationRate = 0, 0
	if mod != nil {
		mod(&cfg)
	}
	svc, err := app.Build(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(svc.Handler)
	// The deletion sweeper runs for the instance's lifetime, as in Run.
	ctx, stop := context.WithCancel(context.Background())
	swept := make(chan struct{})
	go func() {
		defer close(swept)
		_ = svc.Sweeper.Run(ctx)
	}()
	t.Cleanup(func() {
		srv.Close()
		stop()
		<-swept
		svc.Close()
	})
	return svc, srv
}

// instance starts another service instance (own clients, own in-process
// state) on the suite's emulators, as a second replica behind a load
// balancer would be.
func (s *suite) instance(mod func(*config.Config)) *httptest.Server {
	s.t.Helper()
	_, srv := serve(s.t, s.emu, mod)
	return srv
}

// user creates uid in Auth and signs it in.
func (s *suite) user(uid string, u *auth.UserToCreate) {
	s.t.Helper()
	if u == nil {
		u = &auth.UserToCreate{}
	}
	if _, err := s.auth.CreateUser(context.Background(), u.UID(uid)); err != nil {
		s.t.Fatalf("CreateUser(%s): %v", uid, err)
	}
	s.signIn(uid)
}

// signIn mints a fresh ID token for uid the way a client does (custom
// token, then accounts:signInWithCustomToken), so it carries uid's
// current custom claims.
func (s *suite) signIn(uid string) string {
	s.t.Helper()
	se, err := emuclient.SignInAs(context.Background(), s.emu.authAddr, s.auth, uid)
	if err != nil {
		s.t.Fatalf("sign-in of %s: %v", uid, err)
	}
	s.tokens[uid] = se.IDToken
	return se.IDToken
}

// admit creates, admits (POST /v1/me/claims) and re-signs-in each uid.
func (s *suite) admit(uids ...string) {
	s.t.Helper()
	for _, u := range uids {
		s.user(u, nil)
		if code, body := s.call("POST", "/v1/me/claims", u, "", nil); code != 200 {
			s.t.Fatalf("admit %s: %d %s", u, code, body)
		}
		s.signIn(u)
	}
}

// call sends one request; token is a fixture uid, "raw:<token>", or "".
func (s *suite) call(method, path, token, body string, headers map[string]string) (int, string) {
	s.t.Helper()
	code, b, _ := s.callH(method, path, token, body, headers)
	return code, b
}

func (s *suite) callH(method, path, token, body string, headers map[string]string) (int, string, http.Header) {
	s.t.Helper()
	return s.callAtH(s.srv.URL, method, path, token, body, headers)
}

// callAt is call against the instance at base (see instance).
func (s *suite) callAt(base, method, path, token, body string) (int, string) {
	s.t.Helper()
	code, b, _ := s.callAtH(base, method, path, token, body, nil)
	return code, b
}

func (s *suite) callAtH(base, method, path, token, body string, headers map[string]string) (int, string, http.Header) {
	s.t.Helper()
	req, err := http.NewRequest(method, base+s.expand(path), strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	switch {
	case strings.HasPrefix(token, "raw:"):
		req.Header.Set("Authorization", "Bearer "+strings.TrimPrefix(token, "raw:"))
	case token != "":
		tok, ok := s.tokens[token]
		if !ok {
			s.t.Fatalf("no token for %q", token)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, s.expand(v))
	}
	resp, err := s.srv.Client().Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// expand replaces {name} with captured vars.
func (s *suite) expand(p string) string {
	for k, v := range s.vars {
		p = strings.ReplaceAll(p, "{"+k+"}", v)
	}
	return p
}

// step is one row of a scenario table. Steps of a table run in order
// against one suite, so later rows see earlier rows' effects.
type step struct {
	name    string
	method  string
	path    string
	token   string
	body    string
	headers map[string]string
	status  int
	// contains and absent are body fragments ({var} expanded).
	contains []string
	absent   []string
	// save captures the response's JSON "id" into vars[save].
	save string
	// before and check are escape hatches run around the request.
	before func(s *suite)
	check  func(t *testing.T, s *suite, body string, h http.Header)
}

func (s *suite) run(t *testing.T, steps []step) {
	t.Helper()
	for _, st := range steps {
		if st.before != nil {
			st.before(s)
		}
		code, body, h := s.callH(st.method, st.path, st.token, st.body, st.headers)
		ok := t.Run(st.name, func(t *testing.T) {
			if code != st.status {
				t.Fatalf("%s %s = %d, want %d; body %s", st.method, s.expand(st.path), code, st.status, body)
			}
			for _, c := range st.contains {
				if !strings.Contains(body, s.expand(c)) {
					t.Errorf("body lacks %q: %s", s.expand(c), body)
				}
			}
			for _, c := range st.absent {
				if strings.Contains(body, s.expand(c)) {
					t.Errorf("body has %q: %s", s.expand(c), body)
				}
			}
			if code >= 400 && h.Get("Content-Type") != "application/problem+json" {
				t.Errorf("error Content-Type %q", h.Get("Content-Type"))
			}
			if st.save != "" {
				var v struct {
					ID string `json:"id"`
				}
				if err := json.Unmarshal([]byte(body), &v); err != nil || v.ID == "" {
					t.Fatalf("no id to save in %s", body)
				}
				s.vars[st.save] = v.ID
			}
			if st.check != nil {
				st.check(t, s, body, h)
			}
		})
		if !ok {
			t.FailNow() // later steps depend on this one
		}
	}
}

// count returns the number of documents q matches (admin read).
func (s *suite) count(t testing.TB, q firestore.Query) int {
	t.Helper()
	docs, err := q.Documents(context.Background()).GetAll()
	if err != nil {
		t.Fatal(err)
	}
	return len(docs)
}
