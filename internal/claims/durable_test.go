package claims_test

// Privilege changes that fail midway: the change is recorded first, the
// request answers ErrChangePending, and the reconciler (on the same or a
// fresh Manager, as after a restart) drives Auth claims, refresh-token
// revocation and room ejection to the recorded state. Faults are
// injected into the real Admin SDK client; everything else is the real
// emulator through the real clients.

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"firebase.google.com/go/v4/auth"

	"github.com/roomgate/roomgate/internal/claims"
	"github.com/roomgate/roomgate/internal/push"
	"github.com/roomgate/roomgate/internal/rooms"
)

var errDropped = errors.New("injected: connection to Auth dropped")

// flakyAuth is the real Admin SDK client whose writes (claims, revocation)
// fail while failures remain; reads go through, as when a connection drops
// between the lookup and the write.
type flakyAuth struct {
	*auth.Client
	failures atomic.Int64
	writes   atomic.Int64
}

func (f *flakyAuth) fail() bool {
	f.writes.Add(1)
	return f.failures.Add(-1) >= 0
}

func (f *flakyAuth) SetCustomUserClaims(ctx context.Context, uid string, c map[string]any) error {
	if f.fail() {
		return errDropped
	}
	return f.Client.SetCustomUserClaims(ctx, uid, c)
}

func (f *flakyAuth) RevokeRefreshTokens(ctx context.Context, uid string) error {
	if f.fail() {
		return errDropped
	}
	return f.Client.RevokeRefreshTokens(ctx, uid)
}

// flaky returns a Manager (own clients) whose Auth writes fail n times.
func (e *env) flaky(t *testing.T, n int64) (*claims.Manager, *flakyAuth) {
	t.Helper()
	m := e.manager(t)
	fa := &flakyAuth{Client: m.Auth.(*auth.Client)}
	fa.failures.Store(n)
	m.Auth = fa
	return m, fa
}

// later is a clock skew past any retry backoff and lease of these tests.
const later = 10 * time.Minute

func clockAt(d time.Duration) func() time.Time {
	return func() time.Time { return time.Now().Add(d) }
}

// admittedInRoom creates uid, admits it and puts it in a group room owned
// by "owner"; it returns the room ID.
func (e *env) admittedInRoom(t *testing.T, uid string) string {
	t.Helper()
	ctx := context.Background()
	e.user(t, uid, nil)
	if _, err := e.auth.GetUser(ctx, "owner"); auth.IsUserNotFound(err) {
		e.user(t, "owner", nil)
	}
	m := e.manager(t)
	if _, err := m.Admit(ctx, uid, "r-admit"); err != nil {
		t.Fatal(err)
	}
	svc := &rooms.Service{Store: &rooms.FirestoreStore{Client: e.fs}, Directory: &rooms.FirebaseDirectory{Auth: e.auth}, Limits: rooms.DefaultLimits}
	room, err := svc.ParseCreate("owner", rooms.CreateRequest{Members: []string{uid}, Title: "t", Kind: rooms.KindGroup})
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.Create(ctx, rooms.Actor{UID: "owner", RequestID: "r-room"}, room, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res.Room.ID
}

func (e *env) isMember(t *testing.T, roomID, uid string) bool {
	t.Helper()
	_, err := e.fs.Collection("rooms").Doc(roomID).Collection("members").Doc(uid).Get(context.Background())
	return err == nil
}

func (e *env) pending(t *testing.T, uid string) bool {
	t.Helper()
	_, err := e.fs.Collection("privilegeChanges").Doc(uid).Get(context.Background())
	return err == nil
}

func (e *env) revoked(t *testing.T, uid string) bool {
	t.Helper()
	u, err := e.auth.GetUser(context.Background(), uid)
	if err != nil {
		t.Fatal(err)
	}
	return u.TokensValidAfterMillis > 0
}

// TestABanThatFailsMidwayConverges: the Auth connection drops on the
// ban's writes. The request answers ErrChangePending with the ban
// recorded; the user keeps their old claims in Auth but roomgate's own
// checks already see the ban. Reconciler passes that still fail leave it
// pending; the first that gets through sets the claims, revokes the
// refresh tokens, removes the user from the room and clears the marker.
func TestABanThatFailsMidwayConverges(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	room := e.admittedInRoom(t, "u")
	m, fa := e.flaky(t, 3)

	_, err := m.Ban(ctx, "admin", "r-ban", "u")
	if !errors.Is(err, claims.ErrChangePending) || !errors.Is(err, errDropped) {
		t.Fatalf("Ban = %v, want ErrChangePending wrapping the dropped connection", err)
	}
	if got := e.claimsOf(t, "u"); got["chat"] != true || got["banned"] != nil {
		t.Fatalf("Auth claims changed although every write failed: %v", got)
	}
	if !e.pending(t, "u") || !e.isMember(t, room, "u") || e.revoked(t, "u") {
		t.Fatal("want: marker present, still a member, not revoked")
	}
	// Already the recorded state is what roomgate enforces.
	if _, banned, err := m.CurrentRole(ctx, "u"); err != nil || !banned {
		t.Fatalf("CurrentRole while pending: banned=%v err=%v", banned, err)
	}
	// The reconciler leaves a change alone while its request may still be
	// working on it, and after a failure until its backoff has passed.
	if n, err := m.Reconcile(ctx); n != 0 || err != nil {
		t.Fatalf("Reconcile at once = %d, %v; want 0, nil", n, err)
	}

	m.Now = clockAt(later)
	for pass := 1; pass <= 2; pass++ { // failures 2 and 3
		if n, err := m.Reconcile(ctx); n != 0 || !errors.Is(err, errDropped) {
			t.Fatalf("pass %d = %d, %v; want 0 and the injected failure", pass, n, err)
		}
		m.Now = clockAt(time.Duration(pass+1) * later)
	}
	if !e.pending(t, "u") {
		t.Fatal("marker cleared although the ban was never applied")
	}
	if n, err := m.Reconcile(ctx); n != 1 || err != nil {
		t.Fatalf("last pass = %d, %v; want 1, nil", n, err)
	}
	if got := e.claimsOf(t, "u"); got["banned"] != true || got["chat"] != nil {
		t.Fatalf("claims after reconciling: %v", got)
	}
	if e.pending(t, "u") || e.isMember(t, room, "u") || !e.revoked(t, "u") {
		t.Fatal("want: marker gone, removed from the room, tokens revoked")
	}
	if fa.writes.Load() < 5 {
		t.Fatalf("only %d Auth writes: the failures were not all exercised", fa.writes.Load())
	}
	// Nothing left to do.
	if n, err := m.Reconcile(ctx); n != 0 || err != nil {
		t.Fatalf("idle pass = %d, %v", n, err)
	}
}

// TestAFreshManagerFinishesTheWorkOfACrashedOne: the process dies after
// recording the ban, holding the lease (its deadline passed with no
// chance to give the lease back). A new Manager with its own clients, as
// after a restart or on another instance, leaves the change alone while
// the lease runs and finishes it once it has expired.
func TestAFreshManagerFinishesTheWorkOfACrashedOne(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	room := e.admittedInRoom(t, "u")

	// The crashed instance: its Auth write cancels the request (the kill)
	// and the process never runs again.
	dying := e.manager(t)
	st := dying.State
	cctx, kill := context.WithCancel(ctx)
	dying.Auth = killingAuth{AuthClient: dying.Auth, kill: kill}
	dying.State = crashingState{State: st}
	if _, err := dying.Ban(cctx, "admin", "r-ban", "u"); !errors.Is(err, claims.ErrChangePending) {
		t.Fatalf("Ban = %v, want ErrChangePending", err)
	}
	if got := e.claimsOf(t, "u"); got["chat"] != true {
		t.Fatalf("claims %v", got)
	}

	fresh := e.manager(t)
	fresh.Now = clockAt(claims.DefaultLeaseDuration / 2)
	if n, err := fresh.Reconcile(ctx); n != 0 || err != nil {
		t.Fatalf("Reconcile under the dead worker's lease = %d, %v; want 0, nil", n, err)
	}
	if got := e.claimsOf(t, "u"); got["chat"] != true {
		t.Fatal("a change was applied under another worker's lease")
	}
	fresh.Now = clockAt(claims.DefaultLeaseDuration + time.Second)
	if n, err := fresh.Reconcile(ctx); n != 1 || err != nil {
		t.Fatalf("Reconcile after the lease = %d, %v; want 1, nil", n, err)
	}
	if got := e.claimsOf(t, "u"); got["banned"] != true || got["chat"] != nil {
		t.Fatalf("claims %v", got)
	}
	if e.pending(t, "u") || e.isMember(t, room, "u") || !e.revoked(t, "u") {
		t.Fatal("want: marker gone, removed from the room, tokens revoked")
	}
}

// killingAuth cancels the request on the first claims write: the process
// is killed there.
type killingAuth struct {
	claims.AuthClient
	kill context.CancelFunc
}

func (k killingAuth) SetCustomUserClaims(ctx context.Context, uid string, c map[string]any) error {
	k.kill()
	<-ctx.Done()
	return ctx.Err()
}

// crashingState is a State whose process is gone by the time it would give
// the lease back: Release never reaches Firestore.
type crashingState struct{ claims.State }

func (crashingState) Release(context.Context, string, string, time.Time, string) error { return nil }

// blockingAuth holds its first claims write until released, so a test can
// act while a worker is in the middle of applying a change.
type blockingAuth struct {
	claims.AuthClient
	entered chan struct{}
	release chan struct{}
	once    *sync.Once
}

func (b blockingAuth) SetCustomUserClaims(ctx context.Context, uid string, c map[string]any) error {
	b.once.Do(func() {
		close(b.entered)
		<-b.release
	})
	return b.AuthClient.SetCustomUserClaims(ctx, uid, c)
}

// countingAuth counts claims writes.
type countingAuth struct {
	claims.AuthClient
	n *atomic.Int64
}

func (c countingAuth) SetCustomUserClaims(ctx context.Context, uid string, cl map[string]any) error {
	c.n.Add(1)
	return c.AuthClient.SetCustomUserClaims(ctx, uid, cl)
}

// TestTwoReconcilersDoNotFight: while one instance's reconciler applies a
// user's pending change, another instance's pass skips that user without
// writing anything, and the first finishes alone.
func TestTwoReconcilersDoNotFight(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	e.admittedInRoom(t, "u")
	// Record a role change whose request failed on every Auth write.
	m0, _ := e.flaky(t, 1000)
	if _, err := m0.SetRole(ctx, "admin", "r", "u", "moderator"); !errors.Is(err, claims.ErrChangePending) {
		t.Fatalf("SetRole = %v", err)
	}

	first := e.manager(t)
	b := blockingAuth{AuthClient: first.Auth, entered: make(chan struct{}), release: make(chan struct{}), once: &sync.Once{}}
	first.Auth, first.Now = b, clockAt(later)
	second := e.manager(t)
	var secondWrites atomic.Int64
	second.Auth, second.Now = countingAuth{AuthClient: second.Auth, n: &secondWrites}, clockAt(later)

	done := make(chan error, 1)
	go func() {
		n, err := first.Reconcile(ctx)
		if err == nil && n != 1 {
			err = errors.New("first reconciler did not apply the change")
		}
		done <- err
	}()
	<-b.entered
	if n, err := second.Reconcile(ctx); n != 0 || err != nil {
		t.Errorf("second reconciler = %d, %v; want 0, nil", n, err)
	}
	if secondWrites.Load() != 0 {
		t.Errorf("second reconciler wrote claims %d times while the first held the lease", secondWrites.Load())
	}
	close(b.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := e.claimsOf(t, "u"); got["role"] != "moderator" || e.pending(t, "u") {
		t.Fatalf("claims %v, pending %v", got, e.pending(t, "u"))
	}
}

// TestARecordedBanIsNotUndoneByALaterUnban: a ban is recorded but not
// applied, then an unban is recorded (also not applied). The last
// intended state is "not banned, not admitted", but the ban happened: its
// revocation and ejection are still carried out, and the claims end as the
// unban says (no chat, no banned).
func TestARecordedBanIsNotUndoneByALaterUnban(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	room := e.admittedInRoom(t, "u")
	m, _ := e.flaky(t, 1000)
	if _, err := m.Ban(ctx, "admin", "r1", "u"); !errors.Is(err, claims.ErrChangePending) {
		t.Fatalf("Ban = %v", err)
	}
	if _, err := m.Unban(ctx, "admin", "r2", "u"); !errors.Is(err, claims.ErrChangePending) {
		t.Fatalf("Unban = %v", err)
	}
	fresh := e.manager(t)
	fresh.Now = clockAt(later)
	if n, err := fresh.Reconcile(ctx); n != 1 || err != nil {
		t.Fatalf("Reconcile = %d, %v", n, err)
	}
	if got := e.claimsOf(t, "u"); got["chat"] != nil || got["banned"] != nil {
		t.Fatalf("claims %v, want neither chat nor banned", got)
	}
	if e.isMember(t, room, "u") || !e.revoked(t, "u") {
		t.Fatal("the recorded ban's ejection and revocation were dropped")
	}
}

// TestARetriedRequestFinishesItsOwnChange: the caller's retry after a 503
// (the same Ban again) applies the pending change itself, without waiting
// for the reconciler.
func TestARetriedRequestFinishesItsOwnChange(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	room := e.admittedInRoom(t, "u")
	m, _ := e.flaky(t, 1)
	if _, err := m.Ban(ctx, "admin", "r", "u"); !errors.Is(err, claims.ErrChangePending) {
		t.Fatalf("Ban = %v", err)
	}
	res, err := m.Ban(ctx, "admin", "r", "u")
	if err != nil {
		t.Fatalf("retried Ban = %v", err)
	}
	if res.RoomsLeft != 1 || res.Claims["banned"] != true || e.pending(t, "u") || e.isMember(t, room, "u") {
		t.Fatalf("retried Ban: %+v, pending %v", res, e.pending(t, "u"))
	}
	if v := e.version(t, "u"); v != 2 {
		t.Fatalf("claimsVersion %d, want 2 (admit, ban): the retry recorded nothing new", v)
	}
}

// TestTheLeaseExcludesOtherWorkers checks FirestoreState's lease rules
// directly: a live lease excludes every other owner (a request included),
// a reservation excludes only the reconciler, an expired lease is free,
// Done clears only the version applied and only for the holder, and
// Release hands the change back with the failure recorded.
func TestTheLeaseExcludesOtherWorkers(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	st := &claims.FirestoreState{Client: e.fs}
	t0 := time.Now()
	record := func(role string) {
		t.Helper()
		_, err := st.Update(ctx, "u", claims.Desired{}, func(d *claims.Desired) (bool, error) {
			d.Role = role
			return true, nil
		}, claims.AuditInfo{Actor: "admin", Time: t0}, t0.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
	}
	record("moderator")
	// The reservation: the reconciler may not take it, a request may.
	if _, _, err := st.Lease(ctx, "u", "reconciler", t0, t0.Add(time.Minute), false); !errors.Is(err, claims.ErrLeaseHeld) {
		t.Fatalf("reconciler on a reservation: %v", err)
	}
	if due, err := st.Due(ctx, t0, 10); err != nil || len(due) != 0 {
		t.Fatalf("Due during the reservation = %v, %v", due, err)
	}
	p, found, err := st.Lease(ctx, "u", "A", t0, t0.Add(time.Minute), true)
	if err != nil || !found || p.Version != 1 {
		t.Fatalf("request on a reservation: %+v %v %v", p, found, err)
	}
	// A live lease excludes a request and the reconciler alike.
	for _, takeReserved := range []bool{true, false} {
		if _, _, err := st.Lease(ctx, "u", "B", t0.Add(59*time.Second), t0.Add(2*time.Minute), takeReserved); !errors.Is(err, claims.ErrLeaseHeld) {
			t.Fatalf("B under A's lease (takeReserved %v): %v", takeReserved, err)
		}
	}
	// A newer change keeps A's lease; A's Done for version 1 hands it v2.
	record("admin")
	next, cleared, err := st.Done(ctx, "u", "A", 1)
	if err != nil || cleared || next.Version != 2 || next.LeaseOwner != "A" {
		t.Fatalf("Done(1) after v2: %+v %v %v", next, cleared, err)
	}
	if _, _, err := st.Done(ctx, "u", "B", 2); !errors.Is(err, claims.ErrLeaseHeld) {
		t.Fatalf("Done by a non-holder: %v", err)
	}
	// A fails and releases; the change is due at retryAt, with the cause.
	if err := st.Release(ctx, "u", "A", t0.Add(3*time.Minute), "boom"); err != nil {
		t.Fatal(err)
	}
	if due, _ := st.Due(ctx, t0.Add(2*time.Minute), 10); len(due) != 0 {
		t.Fatalf("due before retryAt: %v", due)
	}
	if due, _ := st.Due(ctx, t0.Add(3*time.Minute), 10); len(due) != 1 || due[0] != "u" {
		t.Fatalf("due at retryAt: %v", due)
	}
	p, found, err = st.Lease(ctx, "u", "B", t0.Add(3*time.Minute), t0.Add(4*time.Minute), false)
	if err != nil || !found || p.Attempts != 1 || p.LastError != "boom" || p.Version != 2 {
		t.Fatalf("B after the release: %+v %v %v", p, found, err)
	}
	// B's lease expires unused; C takes over.
	if _, _, err := st.Lease(ctx, "u", "C", t0.Add(4*time.Minute), t0.Add(5*time.Minute), false); err != nil {
		t.Fatalf("C after B's lease expired: %v", err)
	}
	if _, cleared, err := st.Done(ctx, "u", "C", 2); err != nil || !cleared || e.pending(t, "u") {
		t.Fatalf("Done(2) by C: %v %v", cleared, err)
	}
	if _, found, err := st.Lease(ctx, "u", "D", t0, t0, true); err != nil || found {
		t.Fatalf("Lease with nothing pending: %v %v", found, err)
	}
}

// devices registers n push devices for uid through push.Devices, as the
// API does, and returns the store.
func (e *env) devices(t *testing.T, uid string, n int) *push.Devices {
	t.Helper()
	d := &push.Devices{Client: e.fs}
	for i := range n {
		tok := fmt.Sprintf("fcm-token-%s-%d:APA91bDDDDDDDDDDDDDDDDDDDDDDDDDD", uid, i)
		if err := d.Put(context.Background(), uid, fmt.Sprintf("inst-%d", i), push.Device{Token: tok, Platform: "android"}); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func (e *env) deviceCount(t *testing.T, uid string) int {
	t.Helper()
	docs, err := e.fs.Collection("users").Doc(uid).Collection("devices").Documents(context.Background()).GetAll()
	if err != nil {
		t.Fatal(err)
	}
	return len(docs)
}

// TestABanFinishedByTheReconcilerDropsDevices: dropping the push devices
// is a duty of the recorded ban, not of the request: the request fails
// on Auth, and the reconciler's pass deletes the devices before it
// clears the marker.
func TestABanFinishedByTheReconcilerDropsDevices(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	e.admittedInRoom(t, "u")
	e.devices(t, "u", 2)
	e.devices(t, "bystander", 1)
	m, _ := e.flaky(t, 1000)
	if _, err := m.Ban(ctx, "admin", "r-ban", "u"); !errors.Is(err, claims.ErrChangePending) {
		t.Fatalf("Ban = %v, want ErrChangePending", err)
	}
	if n := e.deviceCount(t, "u"); n != 2 {
		t.Fatalf("devices dropped before the ban's claims were applied? %d left", n)
	}
	fresh := e.manager(t)
	fresh.Now = clockAt(later)
	if n, err := fresh.Reconcile(ctx); n != 1 || err != nil {
		t.Fatalf("Reconcile = %d, %v; want 1, nil", n, err)
	}
	if n := e.deviceCount(t, "u"); n != 0 || e.pending(t, "u") {
		t.Fatalf("after the reconciler: %d devices, pending %v", n, e.pending(t, "u"))
	}
	if n := e.deviceCount(t, "bystander"); n != 1 {
		t.Fatalf("another user's devices: %d, want 1", n)
	}
}

// TestABanStaysPendingWithoutADeviceDropper: a Manager that cannot drop
// devices does not clear a ban's marker (deny by default); one that can
// finishes it.
func TestABanStaysPendingWithoutADeviceDropper(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	e.admittedInRoom(t, "u")
	e.devices(t, "u", 1)
	m := e.manager(t)
	m.Devices = nil
	if _, err := m.Ban(ctx, "admin", "r-ban", "u"); !errors.Is(err, claims.ErrChangePending) {
		t.Fatalf("Ban without a device dropper = %v, want ErrChangePending", err)
	}
	if !e.pending(t, "u") || e.deviceCount(t, "u") != 1 {
		t.Fatal("want the marker kept and the device still there")
	}
	fresh := e.manager(t)
	fresh.Now = clockAt(later)
	if n, err := fresh.Reconcile(ctx); n != 1 || err != nil {
		t.Fatalf("Reconcile = %d, %v", n, err)
	}
	if e.pending(t, "u") || e.deviceCount(t, "u") != 0 {
		t.Fatal("want the marker cleared and the device gone")
	}
}
