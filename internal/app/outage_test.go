package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"firebase.google.com/go/v4/auth"

	"github.com/roomgate/roomgate/emulator/emutest/emuclient"
)

// TestFirestoreOutageFailsFastAndRecovers runs `roomgate serve` with its
// Firestore connection through a proxy that is cut and restored. While
// Firestore is unreachable, /v1 answers 503 "unavailable" with Retry-After
// (not 500, and not after the request timeout, which is set to 10 minutes
// so a request that waited for it would hit the test's client timeout),
// /readyz says so, and once Firestore is back requests succeed again
// without restarting the service. How long recovery took is logged, not
// asserted (see the README for the figure and the command).
func TestFirestoreOutageFailsFastAndRecovers(t *testing.T) {
	emu := startEmulators(t)
	proxy := newCutProxy(t, emu.FirestoreAddr)
	addr := freeAddr(t)
	stop := startRun(t, emu, map[string]string{
		"ROOMGATE_ADDR":            addr,
		"ROOMGATE_REQUEST_TIMEOUT": "10m",
		"FIRESTORE_EMULATOR_HOST":  proxy.addr,
	})
	defer stop()
	client := &http.Client{Timeout: 60 * time.Second}
	ac := emu.AdminAuth(t)
	if _, err := ac.CreateUser(context.Background(), (&auth.UserToCreate{}).UID("alice")); err != nil {
		t.Fatal(err)
	}
	if err := ac.SetCustomUserClaims(context.Background(), "alice", map[string]any{"chat": true}); err != nil {
		t.Fatal(err)
	}
	sess, err := emuclient.SignInAs(context.Background(), emu.AuthAddr, ac, "alice")
	if err != nil {
		t.Fatal(err)
	}
	tok := sess.IDToken
	list := func() (int, string, string) {
		req, _ := http.NewRequest("GET", "http://"+addr+"/v1/rooms", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET /v1/rooms: %v", err)
		}
		defer resp.Body.Close()
		var p struct{ Code string }
		b, _ := io.ReadAll(resp.Body)
		_ = json.Unmarshal(b, &p)
		return resp.StatusCode, p.Code, resp.Header.Get("Retry-After")
	}
	if code, _, _ := list(); code != 200 {
		t.Fatalf("before the outage: %d", code)
	}

	proxy.cut()
	for i := 0; i < 3; i++ {
		code, pcode, retry := list()
		if code != 503 || pcode != "unavailable" || retry == "" {
			t.Fatalf("during the outage, request %d: %d %q Retry-After %q, want 503 unavailable with Retry-After", i, code, pcode, retry)
		}
	}
	if code, _ := get(t, "http://"+addr+"/readyz"); code != 503 {
		t.Errorf("/readyz during the outage = %d, want 503", code)
	}

	proxy.restore()
	back := time.Now()
	deadline := back.Add(30 * time.Second)
	for {
		code, pcode, _ := list()
		if code == 200 {
			break
		}
		if code != 503 || time.Now().After(deadline) {
			t.Fatalf("after Firestore came back: %d %q", code, pcode)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("requests succeeded again %v after Firestore came back", time.Since(back).Round(10*time.Millisecond))
}

// cutProxy forwards TCP connections to a target until cut: then it closes
// its listener and every open connection, so the address refuses
// connections, until restore listens on it again.
type cutProxy struct {
	t      *testing.T
	addr   string
	target string

	mu    sync.Mutex // guards ln and conns
	ln    net.Listener
	conns []net.Conn
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	p := &cutProxy{t: t, target: target, addr: freeAddr(t)}
	p.restore()
	t.Cleanup(p.cut)
	return p
}

func (p *cutProxy) restore() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("proxy listen: %v", err)
	}
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
}

func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}
