package firestore

import (
	"sync"
	"time"
)

// clock is the server's single commit clock. Every commit time, update
// time, create time and read time comes from it, so they are totally
// ordered across the whole server (the Go
// watch client drops a "modified" change whose update_time did not move).
//
// Times have microsecond precision, as in production. A commit time is
// strictly greater than every time handed out before it, including read
// times, so a read at time t can never miss a commit stamped t.
type clock struct {
	now func() time.Time // time source; time.Now when nil

	// mu guards last.
	mu   sync.Mutex
	last time.Time // greatest time handed out so far
}

func (c *clock) wall() time.Time {
	if c.now != nil {
		return c.now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

// next returns a fresh commit time, strictly after every earlier time.
func (c *clock) next() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.wall()
	if !t.After(c.last) {
		t = c.last.Add(time.Microsecond)
	}
	c.last = t
	return t
}

// read returns a read time: not before any earlier time, and not after
// the next commit time. Several reads may share one time.
func (c *clock) read() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.wall()
	if t.Before(c.last) {
		t = c.last
	}
	c.last = t
	return t
}

// advancePast makes every later time strictly greater than t (used after
// importing documents that carry their own timestamps).
func (c *clock) advancePast(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.last) {
		c.last = t
	}
}

// requestTime is the value of a REQUEST_TIME server timestamp and of
// request.time in rules for a commit at t. Google's emulator writes server
// timestamps with millisecond precision; using the same truncated value
// for request.time keeps rules like `data.createdAt == request.time` true.
func requestTime(commit time.Time) time.Time {
	return commit.Truncate(time.Millisecond)
}
