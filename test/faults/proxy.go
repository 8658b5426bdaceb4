// Package faults runs roomgate against the embedded Firestore and Auth
// emulators behind fault-injecting TCP proxies, and checks after each
// fault that the data model's invariants hold: memberCount equals the
// member documents, the index documents match the members, nothing is
// orphaned (messages of a deleted room are accounted for by its tombstone
// until swept), and bans are applied in full or reported as failed.
//
// The proxy (proxy.go) is the package's only non-test code, so other test
// suites may use it too; the suite itself is in the _test files.
package faults

import (
	"net"
	"sync"
	"time"
)

// Proxy is a loopback TCP proxy to one target that can add latency,
// refuse new connections and cut the open ones. The zero value is not
// usable; call Listen.
type Proxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	delay  time.Duration
	refuse bool
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// Listen starts a proxy on a free loopback port that forwards to target
// (host:port).
func Listen(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the proxy's host:port, to give clients instead of the target's.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// SetDelay makes every chunk forwarded, either way, wait d first (0: none).
func (p *Proxy) SetDelay(d time.Duration) {
	p.mu.Lock()
	p.delay = d
	p.mu.Unlock()
}

// Refuse makes the proxy close new connections as soon as they are
// accepted (on true), as a dependency that is down does, or accept them
// again (on false). Open connections are left alone; see Cut.
func (p *Proxy) Refuse(on bool) {
	p.mu.Lock()
	p.refuse = on
	p.mu.Unlock()
}

// Cut closes every open connection, both sides, as a network failure or
// a restarting dependency does. New connections are accepted unless
// Refuse is on.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// Down is Refuse(true) and Cut: the dependency is gone until Up.
func (p *Proxy) Down() {
	p.Refuse(true)
	p.Cut()
}

// Up is Refuse(false): new connections get through again.
func (p *Proxy) Up() { p.Refuse(false) }

// Close stops the proxy and cuts every connection.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	err := p.ln.Close()
	p.Cut()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		refuse, closed := p.refuse, p.closed
		p.mu.Unlock()
		if refuse || closed {
			c.Close()
			continue
		}
		p.wg.Add(1)
		go p.serve(c)
	}
}

// track registers c as open; false if the proxy closed meanwhile.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	c.Close()
}

func (p *Proxy) serve(client net.Conn) {
	defer p.wg.Done()
	server, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		client.Close()
		return
	}
	if !p.track(client) || !p.track(server) {
		client.Close()
		server.Close()
		return
	}
	done := make(chan struct{}, 2)
	go func() { p.pipe(server, client); done <- struct{}{} }()
	go func() { p.pipe(client, server); done <- struct{}{} }()
	<-done
	// One side ended: end the other, as a broken path would.
	p.untrack(client)
	p.untrack(server)
	<-done
}

// pipe copies src to dst chunk by chunk, each after the current delay.
func (p *Proxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			d := p.delay
			p.mu.Unlock()
			if d > 0 {
				time.Sleep(d)
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil { // io.EOF included: the caller ends both sides
			return
		}
	}
}
