// Package firestore is an in-memory Cloud Firestore emulator: the
// google.firestore.v1 gRPC service that the Go client, the Firebase Admin
// SDK and the JS SDK speak, with every request decided by the security
// rules engine (emulator/rules), plus the Firebase emulator's REST
// endpoints (load rules, clear data, rule coverage, export) on the same
// port.
//
// The wire behaviour is what Google's emulator does for the SDKs; INTERNALS.md
// in this directory explains how the package is built.
//
//	srv, err := firestore.NewServer("127.0.0.1:0")
//	if err != nil { ... }
//	defer srv.Close()
//	os.Setenv("FIRESTORE_EMULATOR_HOST", srv.Addr())
package firestore

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/http"
	"sync"
	"sync/atomic"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"github.com/roomgate/roomgate/emulator/rules"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Server is a running emulator. Its methods are safe for concurrent use.
type Server struct {
	s     *server
	lis   net.Listener
	grpc  *grpc.Server
	http  *http.Server
	mux   *muxListener
	done  sync.WaitGroup
	close sync.Once
}

// server implements the Firestore service; Server wraps it so the
// exported API stays small.
type server struct {
	firestorepb.UnimplementedFirestoreServer

	st    *store
	txns  txnTable
	rules rulesTable

	logger atomic.Pointer[func(string, ...any)]

	streamSeq atomic.Uint64 // Write stream ids and tokens

	opts ServerOptions // fixed at start (options.go)
}

func newServer() *server {
	s := &server{st: newStore()}
	lf := func(format string, args ...any) { log.Printf("firestore emulator: "+format, args...) }
	s.logger.Store(&lf)
	return s
}

func (s *server) logf(format string, args ...any) { (*s.logger.Load())(format, args...) }

// maxMessage is the gRPC message cap in both directions. The JS SDK caps
// its own at 17 MiB and the Go client sets none; production requests are
// limited to about 10 MiB.
const maxMessage = 32 << 20

// NewServer listens on addr (use "127.0.0.1:0" in tests) and serves gRPC
// and the emulator REST API there until Close. Any project and database
// is served.
func NewServer(addr string) (*Server, error) { return NewServerWithOptions(addr, ServerOptions{}) }

// NewServerWithOptions is NewServer with options (options.go).
func NewServerWithOptions(addr string, opts ServerOptions) (*Server, error) {
	switch opts.ListenDenial {
	case ListenDenyImmediately, ListenDenyAtNextDelivery:
	default:
		return nil, fmt.Errorf("firestore emulator: unknown ListenDenial %d", opts.ListenDenial)
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := newServer()
	s.opts = opts
	srv := &Server{s: s, lis: lis}
	srv.grpc = grpc.NewServer(
		grpc.MaxRecvMsgSize(maxMessage), grpc.MaxSendMsgSize(maxMessage),
		// Close waits for handlers, so none logs (to a finished test's
		// t.Logf) or touches the store after Close returns.
		grpc.WaitForHandlers(true),
		grpc.UnaryInterceptor(projectInterceptor),
		grpc.StreamInterceptor(projectStreamInterceptor),
	)
	firestorepb.RegisterFirestoreServer(srv.grpc, s)
	srv.http = &http.Server{Handler: s.restHandler(), ErrorLog: log.New(logWriter{s}, "", 0)}
	srv.mux = newMuxListener(lis)
	srv.done.Add(3)
	go func() { defer srv.done.Done(); srv.mux.run() }()
	go func() { defer srv.done.Done(); srv.grpc.Serve(srv.mux.grpcL) }()
	go func() { defer srv.done.Done(); srv.http.Serve(srv.mux.httpL) }()
	return srv, nil
}

// Addr returns the host:port the server listens on.
func (srv *Server) Addr() string { return srv.lis.Addr().String() }

// Close stops the server at once: open streams and connections end.
func (srv *Server) Close() error {
	srv.close.Do(func() {
		srv.lis.Close()
		srv.mux.close()
		srv.grpc.Stop()
		srv.http.Close()
		srv.done.Wait()
		nop := func(string, ...any) {}
		srv.s.logger.Store(&nop)
	})
	return nil
}

// SetLogger sends the server's log lines to logf (t.Logf in tests); nil
// restores the standard logger.
func (srv *Server) SetLogger(logf func(format string, args ...any)) {
	if logf == nil {
		logf = func(format string, args ...any) { log.Printf("firestore emulator: "+format, args...) }
	}
	srv.s.logger.Store(&logf)
}

// SetRules compiles src and makes it the ruleset of every project that
// has none of its own (loaded through the REST endpoint). On error the
// rules in force are unchanged.
func (srv *Server) SetRules(src string) error {
	rs, err := rules.Compile("firestore.rules", []byte(src))
	if err != nil {
		return err
	}
	srv.s.rules.set("", &loadedRules{rs: rs, name: "firestore.rules", src: src})
	return nil
}

// ClearDocuments deletes every document of project's (default) database.
func (srv *Server) ClearDocuments(project string) {
	srv.s.st.clear("projects/" + project + "/databases/(default)")
}

// projectInterceptor records the project named by the request's
// database, parent or name field, so callerFrom can pick its rules.
func projectInterceptor(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if m, ok := req.(proto.Message); ok {
		if p := projectOf(m.ProtoReflect()); p != "" {
			ctx = withProject(ctx, p)
		}
	}
	return handler(ctx, req)
}

// projectStreamInterceptor does the same for streams: the stream's
// Context carries the project of the first message received, so handlers
// of server-streaming RPCs (which receive before running) see it at once
// and bidi handlers see it after their first Recv.
func projectStreamInterceptor(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	return handler(srv, &projectStream{ServerStream: ss, ctx: ss.Context()})
}

type projectStream struct {
	grpc.ServerStream
	ctx context.Context
	set bool
}

func (ps *projectStream) Context() context.Context { return ps.ctx }

func (ps *projectStream) RecvMsg(m any) error {
	err := ps.ServerStream.RecvMsg(m)
	if err == nil && !ps.set {
		if pm, ok := m.(proto.Message); ok {
			if p := projectOf(pm.ProtoReflect()); p != "" {
				ps.ctx, ps.set = withProject(ps.ctx, p), true
			}
		}
	}
	return err
}

func projectOf(m protoreflect.Message) string {
	fields := m.Descriptor().Fields()
	for _, f := range []protoreflect.Name{"database", "parent", "name"} {
		fd := fields.ByName(f)
		if fd == nil || fd.Kind() != protoreflect.StringKind || fd.IsList() {
			continue
		}
		if p, _, _, ok := splitDatabase(m.Get(fd).String()); ok {
			return p
		}
	}
	// UpdateDocument names its document inside the message.
	if fd := fields.ByName("document"); fd != nil && fd.Kind() == protoreflect.MessageKind && m.Has(fd) {
		return projectOf(m.Get(fd).Message())
	}
	return ""
}

// logWriter routes net/http's error log to the server logger.
type logWriter struct{ s *server }

func (w logWriter) Write(p []byte) (int, error) {
	w.s.logf("%s", p)
	return len(p), nil
}
