package faults_test

import (
	"bufio"
	"io"
	"net"
	"testing"

	"github.com/roomgate/roomgate/test/faults"
)

// echoServer answers each line with itself until the client goes.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

func roundTrip(c net.Conn, r *bufio.Reader, msg string) (string, error) {
	if _, err := c.Write([]byte(msg + "\n")); err != nil {
		return "", err
	}
	return r.ReadString('\n')
}

// TestProxyForwardsRefusesAndCuts: the proxy forwards both ways; Cut ends
// the open connections; Down refuses new ones until Up.
func TestProxyForwardsRefusesAndCuts(t *testing.T) {
	p, err := faults.Listen(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	if got, err := roundTrip(c, r, "hello"); err != nil || got != "hello\n" {
		t.Fatalf("through the proxy: %q %v", got, err)
	}

	p.Cut()
	if _, err := r.ReadString('\n'); err == nil {
		t.Fatal("a cut connection still reads")
	}

	p.Down()
	refused, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err) // the listener accepts, then closes at once
	}
	if got, err := roundTrip(refused, bufio.NewReader(refused), "x"); err == nil {
		t.Fatalf("a refused connection answered %q", got)
	}
	refused.Close()

	p.Up()
	again, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if got, err := roundTrip(again, bufio.NewReader(again), "back"); err != nil || got != "back\n" {
		t.Fatalf("after Up: %q %v", got, err)
	}
}
