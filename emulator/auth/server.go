// Package auth is a pure-Go stand-in for the Firebase Auth emulator: the
// Identity Toolkit and securetoken REST endpoints that the Firebase Admin SDK
// (with FIREBASE_AUTH_EMULATOR_HOST set) and the JS Auth SDK
// (connectAuthEmulator) call, with user records, errors and unsigned ID
// tokens shaped exactly as Google's emulator makes them.
//
// Usage in a test:
//
//	srv, err := auth.NewServer("127.0.0.1:0")
//	if err != nil { ... }
//	defer srv.Close()
//	srv.SetLogger(t.Logf)
//	srv.SetDefaultProject("demo-x")
//	t.Setenv("FIREBASE_AUTH_EMULATOR_HOST", srv.Addr())
//
// Every project ID is served; data is kept per project, in memory. Calls that
// carry no project ID (client calls with ?key=, token refresh) go to the
// default project; see SetDefaultProject. INTERNALS.md maps the files.
package auth

import (
	"errors"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// Server is a running Auth emulator on a TCP address.
type Server struct {
	s    *server
	ln   net.Listener
	http *http.Server
	done chan struct{}
}

// server is the implementation behind Server and Handler.
type server struct {
	st   *store
	logf atomic.Pointer[func(format string, args ...any)]
	now  func() time.Time
}

// NewServer starts an Auth emulator listening on addr ("127.0.0.1:0" picks a
// free port). Close stops it.
func NewServer(addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	impl := newServer()
	srv := &Server{
		s:  impl,
		ln: ln,
		http: &http.Server{
			Handler:           impl,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       time.Minute,
			IdleTimeout:       2 * time.Minute,
		},
		done: make(chan struct{}),
	}
	go func() {
		defer close(srv.done)
		_ = srv.http.Serve(ln) // returns ErrServerClosed after Close
	}()
	return srv, nil
}

func newServer() *server {
	return &server{st: newStore(), now: time.Now}
}

// Addr returns the host:port the server listens on, the value for
// FIREBASE_AUTH_EMULATOR_HOST.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the server at once, closing open connections, and waits for
// its serving goroutine to end.
func (s *Server) Close() error {
	err := s.http.Close()
	<-s.done
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Handler returns the emulator as an http.Handler, to mount it elsewhere. It
// shares this Server's data.
func (s *Server) Handler() http.Handler { return s.s }

// SetLogger sets where request logs go (t.Logf in tests); nil silences them.
// Logs name operations, projects and uids, never tokens or passwords.
func (s *Server) SetLogger(logf func(format string, args ...any)) {
	if logf == nil {
		s.s.logf.Store(nil)
		return
	}
	s.s.logf.Store(&logf)
}

// SetDefaultProject sets the project of calls that name none: client calls
// (`/v1/accounts:signUp?key=...`, lookup/update/delete by idToken) and
// securetoken refreshes. Google's emulator maps every API key to the single
// project it was started for; this is that project. Unset, it is the first
// project any call or import touched, else "demo-no-project".
func (s *Server) SetDefaultProject(projectID string) {
	s.s.st.mu.Lock()
	defer s.s.st.mu.Unlock()
	s.s.st.defaultProject = projectID
}

// Clear deletes every account of a project, like
// DELETE /emulator/v1/projects/{p}/accounts. The project's config is kept.
func (s *Server) Clear(projectID string) {
	s.s.st.mu.Lock()
	defer s.s.st.mu.Unlock()
	s.s.st.projectLocked(projectID).clear()
}

func (s *server) log(format string, args ...any) {
	if f := s.logf.Load(); f != nil {
		(*f)(format, args...)
	}
}
