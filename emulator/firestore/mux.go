package firestore

import (
	"bufio"
	"net"
	"sync"
	"time"
)

// One port carries gRPC (HTTP/2 with prior knowledge) and HTTP/1.1 REST,
// as in Google's emulator. Each accepted connection is sniffed:
// one that starts with the HTTP/2 client preface goes to grpc.Server.Serve
// through grpcL, anything else to the http.Server through httpL. The
// sniff stops at the first byte that differs from the preface, so short
// HTTP/1 requests never wait.

const http2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// sniffTimeout bounds how long a silent connection may take to show its
// first bytes.
const sniffTimeout = 10 * time.Second

type muxListener struct {
	root         net.Listener
	grpcL, httpL *chanListener

	// mu guards sniffing: connections still being sniffed, closed on
	// shutdown so Close never waits for a silent client.
	mu       sync.Mutex
	sniffing map[net.Conn]struct{}
	closed   bool
}

func newMuxListener(root net.Listener) *muxListener {
	done := make(chan struct{})
	var once sync.Once
	closeFn := func() { once.Do(func() { close(done) }) }
	return &muxListener{
		root:     root,
		sniffing: map[net.Conn]struct{}{},
		grpcL:    &chanListener{addr: root.Addr(), conns: make(chan net.Conn), done: done, closeFn: closeFn},
		httpL:    &chanListener{addr: root.Addr(), conns: make(chan net.Conn), done: done, closeFn: closeFn},
	}
}

func (m *muxListener) close() {
	m.grpcL.closeFn()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	for c := range m.sniffing {
		c.Close()
	}
}

// run accepts connections until the root listener closes.
func (m *muxListener) run() {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		c, err := m.root.Accept()
		if err != nil {
			m.close()
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.route(c)
		}()
	}
}

func (m *muxListener) route(c net.Conn) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		c.Close()
		return
	}
	m.sniffing[c] = struct{}{}
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		delete(m.sniffing, c)
		m.mu.Unlock()
	}()
	c.SetReadDeadline(time.Now().Add(sniffTimeout))
	br := bufio.NewReaderSize(c, 4096)
	isH2 := true
	for i := 1; i <= len(http2Preface); i++ {
		b, err := br.Peek(i)
		if err != nil {
			if len(b) == 0 {
				c.Close()
				return
			}
			isH2 = false
			break
		}
		if b[i-1] != http2Preface[i-1] {
			isH2 = false
			break
		}
	}
	c.SetReadDeadline(time.Time{})
	pc := &peekedConn{Conn: c, r: br}
	dst := m.httpL
	if isH2 {
		dst = m.grpcL
	}
	select {
	case dst.conns <- pc:
	case <-dst.done:
		c.Close()
	}
}

// peekedConn replays the sniffed bytes before the rest of the stream.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// chanListener is a net.Listener fed by muxListener.
type chanListener struct {
	addr    net.Addr
	conns   chan net.Conn
	done    chan struct{}
	closeFn func()
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *chanListener) Close() error   { l.closeFn(); return nil }
func (l *chanListener) Addr() net.Addr { return l.addr }
