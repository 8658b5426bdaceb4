package firestore

import (
	"context"
	"fmt"
	"net"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// BenchmarkCommitSingleDoc measures one Set (a Commit of one write)
// through the Go client over loopback gRPC, as admin. commits/s =
// 1e9 / ns/op; the -parallel variant shows throughput with concurrent
// clients.
func BenchmarkCommitSingleDoc(b *testing.B) {
	srv := newTestServer(b)
	srv.SetLogger(func(string, ...any) {})
	c := adminClient(b, srv)
	ctx := context.Background()
	b.Run("serial", func(b *testing.B) {
		defer reportCPU(b)()
		for i := 0; b.Loop(); i++ {
			if _, err := c.Doc(fmt.Sprintf("bench/d%d", i%1000)).Set(ctx, map[string]any{"i": i, "text": "hello"}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
	})
	b.Run("parallel", func(b *testing.B) {
		defer reportCPU(b)()
		var n atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := n.Add(1)
				if _, err := c.Doc(fmt.Sprintf("bench/p%d", i%1000)).Set(ctx, map[string]any{"i": i, "text": "hello"}); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
	})
}

// BenchmarkGetDoc measures one document get (BatchGetDocuments) through
// the Go client over loopback gRPC.
func BenchmarkGetDoc(b *testing.B) {
	srv := newTestServer(b)
	c := adminClient(b, srv)
	ctx := context.Background()
	ref := c.Doc("bench/get")
	if _, err := ref.Set(ctx, map[string]any{"v": 1, "text": "hello"}); err != nil {
		b.Fatal(err)
	}
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := ref.Get(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkServerStart measures NewServer until the port answers a TCP
// connection (ready), then Close.
func BenchmarkServerStart(b *testing.B) {
	for b.Loop() {
		srv, err := NewServer("127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		conn, err := net.DialTimeout("tcp", srv.Addr(), time.Second)
		if err != nil {
			b.Fatal(err)
		}
		conn.Close()
		srv.Close()
	}
}

// reportCPU adds the process's CPU time (user+sys, client and server
// together) per operation. On this shared 2-core machine wall-clock ns/op
// swings with other jobs' load; CPU time per op is the steadier figure.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64((cpuTime()-start).Microseconds())/float64(b.N), "cpu-µs/op")
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
