package rooms

import (
	"context"
	"sync"
)

// roomGate lets one membership transaction per room run at a time inside
// this process.
//
// Why: every add, removal and deletion reads and writes the room document
// (memberCount), so concurrent ones conflict. Production Firestore and
// Google's emulator lock pessimistically: each contender holds a read lock
// on the room document, and their commits wait on each other until
// Firestore aborts some (Google's emulator only after a ~2 s lock timeout),
// then all retry together. 50 concurrent adds to one room there took
// longer than the request timeout and every request failed. Queueing them
// here first leaves Firestore only the contention between instances; the
// transaction still guards the invariant (memberCount, the cap) across
// instances, so correctness does not depend on the gate.
type roomGate struct {
	mu    sync.Mutex
	rooms map[string]*gateEntry
}

type gateEntry struct {
	// turn holds one token: taking it is entering the room.
	turn chan struct{}
	// users counts holders and waiters, so the entry is dropped when the
	// last one leaves and the map does not grow with every room ever seen.
	users int
}

// enter waits for room's turn or for ctx to end. On success the caller
// must call the returned leave exactly once.
func (g *roomGate) enter(ctx context.Context, room string) (leave func(), err error) {
	g.mu.Lock()
	if g.rooms == nil {
		g.rooms = map[string]*gateEntry{}
	}
	e := g.rooms[room]
	if e == nil {
		e = &gateEntry{turn: make(chan struct{}, 1)}
		g.rooms[room] = e
	}
	e.users++
	g.mu.Unlock()

	select {
	case e.turn <- struct{}{}:
		return func() {
			<-e.turn
			g.release(room, e)
		}, nil
	case <-ctx.Done():
		g.release(room, e)
		return nil, ctx.Err()
	}
}

func (g *roomGate) release(room string, e *gateEntry) {
	g.mu.Lock()
	defer g.mu.Unlock()
	e.users--
	if e.users == 0 {
		delete(g.rooms, room)
	}
}

// size is the number of rooms with holders or waiters (for tests).
func (g *roomGate) size() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.rooms)
}
