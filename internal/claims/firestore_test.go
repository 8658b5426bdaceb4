package claims_test

// The Manager against the in-process emulators, through the real Admin SDK
// and Firestore client.

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/firestore"
	"firebase.google.com/go/v4/auth"

	"github.com/roomgate/roomgate/emulator/emutest"
	"github.com/roomgate/roomgate/internal/claims"
	"github.com/roomgate/roomgate/internal/push"
	"github.com/roomgate/roomgate/internal/rooms"
)

type env struct {
	fs   *firestore.Client
	auth *auth.Client
	emu  *emutest.Emulators
}

func start(t *testing.T) *env {
	t.Helper()
	emu := emutest.Start(t, emutest.Quiet())
	emu.Setenv(t)
	return &env{fs: emu.AdminClient(t), auth: emu.AdminAuth(t), emu: emu}
}

// manager returns a fresh Manager with its own clients, as a separate
// service instance would have.
func (e *env) manager(t *testing.T) *claims.Manager {
	t.Helper()
	fs, ac := e.emu.AdminClient(t), e.emu.AdminAuth(t)
	return &claims.Manager{ // default attempts, as in production
		Auth: ac, State: &claims.FirestoreState{Client: fs}, Ejector: ejector(fs, ac), Devices: &push.Devices{Client: fs},
	}
}

// ejector is the production ejector: the room service on fs and ac.
func ejector(fs *firestore.Client, ac *auth.Client) claims.Ejector {
	return rooms.BanEjector{Rooms: &rooms.Service{
		Store: &rooms.FirestoreStore{Client: fs}, Directory: &rooms.FirebaseDirectory{Auth: ac}, Limits: rooms.DefaultLimits,
	}}
}

// slowAuth is the real Admin SDK client with a pause between reading a
// user and writing its claims, which widens the window in which a
// concurrent change can slip in: without it the emulator answers so fast
// that a lost update would rarely show.
type slowAuth struct {
	*auth.Client
	pause time.Duration
}

func (s slowAuth) SetCustomUserClaims(ctx context.Context, uid string, c map[string]any) error {
	time.Sleep(time.Duration(rand.Int64N(int64(s.pause))))
	return s.Client.SetCustomUserClaims(ctx, uid, c)
}

// slow wraps m's Auth client in slowAuth.
func slow(m *claims.Manager) *claims.Manager {
	m.Auth = slowAuth{Client: m.Auth.(*auth.Client), pause: 15 * time.Millisecond}
	return m
}

func (e *env) user(t *testing.T, uid string, u *auth.UserToCreate) {
	t.Helper()
	if u == nil {
		u = &auth.UserToCreate{}
	}
	if _, err := e.auth.CreateUser(context.Background(), u.UID(uid)); err != nil {
		t.Fatal(err)
	}
}

func (e *env) claimsOf(t *testing.T, uid string) map[string]any {
	t.Helper()
	u, err := e.auth.GetUser(context.Background(), uid)
	if err != nil {
		t.Fatal(err)
	}
	return u.CustomClaims
}

func (e *env) version(t *testing.T, uid string) int64 {
	t.Helper()
	snap, err := e.fs.Collection("users").Doc(uid).Get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	v, _ := snap.DataAt("claimsVersion")
	return v.(int64)
}

func TestAdmitMergesAndBumpsVersion(t *testing.T) {
	e := start(t)
	e.user(t, "u1", nil)
	ctx := context.Background()
	if err := e.auth.SetCustomUserClaims(ctx, "u1", map[string]any{"tier": "gold"}); err != nil {
		t.Fatal(err)
	}
	m := e.manager(t)
	res, err := m.Admit(ctx, "u1", "r1")
	if err != nil {
		t.Fatal(err)
	}
	got := e.claimsOf(t, "u1")
	if got["chat"] != true || got["tier"] != "gold" || res.Version != 1 || e.version(t, "u1") != 1 {
		t.Fatalf("claims %v version %d", got, res.Version)
	}
	// Admitting again changes nothing and does not bump.
	if res, err := m.Admit(ctx, "u1", "r2"); err != nil || res.Version != 1 {
		t.Fatalf("second admit: %+v %v", res, err)
	}
	audits, _ := e.fs.Collection("audit").Where("target", "==", "u1").Documents(ctx).GetAll()
	if len(audits) != 1 || audits[0].Data()["action"] != "claims.chat_granted" || audits[0].Data()["requestId"] != "r1" {
		t.Fatalf("audit = %d records", len(audits))
	}
}

func TestAdmitChecksTheAccount(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	e.user(t, "unverified", (&auth.UserToCreate{}).Email("a@example.com"))
	e.user(t, "verified", (&auth.UserToCreate{}).Email("b@example.com").EmailVerified(true))
	e.user(t, "disabled", (&auth.UserToCreate{}).Disabled(true))
	m := e.manager(t)
	m.RequireEmailVerified = true
	if _, err := m.Admit(ctx, "unverified", "r"); !errors.Is(err, claims.ErrEmailNotVerified) {
		t.Fatalf("unverified: %v", err)
	}
	if _, err := m.Admit(ctx, "verified", "r"); err != nil {
		t.Fatalf("verified: %v", err)
	}
	if _, err := m.Admit(ctx, "disabled", "r"); !errors.Is(err, claims.ErrUserDisabled) {
		t.Fatalf("disabled: %v", err)
	}
	if _, err := m.Admit(ctx, "ghost", "r"); !errors.Is(err, claims.ErrUserNotFound) {
		t.Fatalf("ghost: %v", err)
	}
	m.RequireEmailVerified = false
	if _, err := m.Admit(ctx, "unverified", "r"); err != nil {
		t.Fatalf("unverified without the requirement: %v", err)
	}
}

func TestBanClearsChatRevokesAndBlocksAdmission(t *testing.T) {
	e := start(t)
	e.user(t, "u", nil)
	ctx := context.Background()
	m := e.manager(t)
	if _, err := m.Admit(ctx, "u", "r"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Ban(ctx, "admin", "r", "u"); err != nil {
		t.Fatal(err)
	}
	got := e.claimsOf(t, "u")
	if got["banned"] != true || got["chat"] != nil {
		t.Fatalf("after ban: %v", got)
	}
	rec, _ := e.auth.GetUser(ctx, "u")
	if rec.TokensValidAfterMillis == 0 {
		t.Fatal("refresh tokens were not revoked")
	}
	if _, err := m.Admit(ctx, "u", "r"); !errors.Is(err, claims.ErrBanned) {
		t.Fatalf("banned admit: %v", err)
	}
	if _, err := m.Unban(ctx, "admin", "r", "u"); err != nil {
		t.Fatal(err)
	}
	if got := e.claimsOf(t, "u"); got["banned"] != nil || got["chat"] != nil {
		t.Fatalf("after unban: %v", got)
	}
	if _, err := m.Admit(ctx, "u", "r"); err != nil {
		t.Fatalf("admit after unban: %v", err)
	}
	if v := e.version(t, "u"); v != 4 {
		t.Fatalf("claimsVersion = %d, want 4 (admit, ban, unban, admit)", v)
	}
}

// TestFirstChangeKeepsARoleSetElsewhere: a role granted before roomgate
// knew the user (no users/{uid} yet) survives roomgate's first change.
func TestFirstChangeKeepsARoleSetElsewhere(t *testing.T) {
	e := start(t)
	e.user(t, "u", nil)
	ctx := context.Background()
	if err := e.auth.SetCustomUserClaims(ctx, "u", map[string]any{"role": "admin"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.manager(t).Admit(ctx, "u", "r"); err != nil {
		t.Fatal(err)
	}
	if got := e.claimsOf(t, "u"); got["role"] != "admin" || got["chat"] != true {
		t.Fatalf("claims %v", got)
	}
}

func TestClaimsSizeLimit(t *testing.T) {
	e := start(t)
	e.user(t, "u", nil)
	ctx := context.Background()
	if err := e.auth.SetCustomUserClaims(ctx, "u", map[string]any{"blob": strings.Repeat("x", 985)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.manager(t).SetRole(ctx, "admin", "r", "u", "moderator"); !errors.Is(err, claims.ErrClaimsTooLarge) {
		t.Fatalf("err = %v", err)
	}
	if got := e.claimsOf(t, "u"); got["role"] != nil || len(got["blob"].(string)) != 985 {
		t.Fatal("claims changed despite the refusal")
	}
	if _, err := e.fs.Collection("users").Doc("u").Get(ctx); err == nil {
		t.Fatal("a refused change was recorded in users/{uid}")
	}
}

// TestConcurrentChangesAreNeverLost runs, in ten rounds, two changes at
// once from two Managers with separate clients (two service instances):
// one admits the user, the other sets a role. A plain read-merge-write
// loses one of them whenever both read before either writes. Both must
// survive every round, with the foreign claim intact and claimsVersion
// counting every change.
func TestConcurrentChangesAreNeverLost(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	m1, m2 := slow(e.manager(t)), slow(e.manager(t))
	for round := 0; round < 10; round++ {
		uid := fmt.Sprintf("u%d", round)
		e.user(t, uid, nil)
		if err := e.auth.SetCustomUserClaims(ctx, uid, map[string]any{"tier": "gold"}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		wg.Add(2)
		go func() { defer wg.Done(); _, errs[0] = m1.Admit(ctx, uid, "r") }()
		go func() { defer wg.Done(); _, errs[1] = m2.SetRole(ctx, "admin", "r", uid, "moderator") }()
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		got := e.claimsOf(t, uid)
		if got["chat"] != true || got["role"] != "moderator" || got["tier"] != "gold" {
			t.Fatalf("round %d: claims %v", round, got)
		}
		if v := e.version(t, uid); v != 2 {
			t.Fatalf("round %d: claimsVersion %d, want 2", round, v)
		}
	}
}

// TestTwentyConcurrentChangesConverge: 20 goroutines on 4 Managers change
// one user at once: 10 set roles (the last committed wins), 5 admit, 5 ban
// then unban in one goroutine each. Afterwards Auth must hold exactly what
// users/{uid} says, the foreign claim is intact, and claimsVersion equals
// the number of changes that actually changed something.
func TestTwentyConcurrentChangesConverge(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	e.user(t, "u", nil)
	if err := e.auth.SetCustomUserClaims(ctx, "u", map[string]any{"tier": "gold", "org": "acme"}); err != nil {
		t.Fatal(err)
	}
	ms := []*claims.Manager{slow(e.manager(t)), slow(e.manager(t)), slow(e.manager(t)), slow(e.manager(t))}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 0; i < 20; i++ {
		m := ms[i%len(ms)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			switch {
			case i < 10:
				_, err = m.SetRole(ctx, "admin", "r", "u", []string{"user", "moderator"}[i%2])
			case i < 15:
				_, err = m.Admit(ctx, "u", "r")
				if errors.Is(err, claims.ErrBanned) {
					err = nil // a ban was in force at that moment: a legitimate refusal
				}
			default:
				if _, err = m.Ban(ctx, "admin", "r", "u"); err == nil {
					_, err = m.Unban(ctx, "admin", "r", "u")
				}
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	snap, err := e.fs.Collection("users").Doc("u").Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d := snap.Data()
	got := e.claimsOf(t, "u")
	if got["tier"] != "gold" || got["org"] != "acme" {
		t.Fatalf("foreign claims lost: %v", got)
	}
	if got["role"] != d["role"] || (got["chat"] == true) != (d["chat"] == true) || (got["banned"] == true) != (d["banned"] == true) {
		t.Fatalf("Auth %v disagrees with users/{uid} %v", got, d)
	}
	if got["banned"] == true {
		t.Fatalf("every ban was undone, yet banned is set: %v", got)
	}
	audits, _ := e.fs.Collection("audit").Where("target", "==", "u").Documents(ctx).GetAll()
	if int64(len(audits)) != d["claimsVersion"].(int64) {
		t.Fatalf("%d audit records for claimsVersion %v: a change was lost or double-counted", len(audits), d["claimsVersion"])
	}
}

// TestARequestTimeoutIsReportedAsOne: when the caller's context ends
// during the transaction, the error says so (the API answers 503
// timeout) rather than being an opaque gRPC status (500).
func TestARequestTimeoutIsReportedAsOne(t *testing.T) {
	e := start(t)
	st := &claims.FirestoreState{Client: e.fs}
	ctx, cancel := context.WithTimeout(context.Background(), -time.Second)
	defer cancel()
	_, err := st.Update(ctx, "alice", claims.Desired{}, func(d *claims.Desired) (bool, error) {
		d.Chat = true
		return true, nil
	}, claims.AuditInfo{Actor: "alice", Time: time.Now()}, time.Now())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Update: %v, want context.DeadlineExceeded", err)
	}
}
