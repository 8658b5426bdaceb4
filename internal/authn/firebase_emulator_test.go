package authn_test

// The Firebase verifier against the in-process Auth emulator, through the
// real Admin SDK, with ID tokens minted the way a client gets them
// (signInWithCustomToken).

import (
	"context"
	"errors"
	"testing"
	"time"

	"firebase.google.com/go/v4/auth"

	"github.com/roomgate/roomgate/emulator/emutest"
	"github.com/roomgate/roomgate/emulator/emutest/emuclient"
	"github.com/roomgate/roomgate/internal/authn"
)

func startAuth(t *testing.T, project string) (*emutest.Emulators, *auth.Client) {
	t.Helper()
	emu := emutest.Start(t, emutest.ProjectID(project), emutest.Quiet())
	emu.Setenv(t)
	return emu, emu.AdminAuth(t)
}

// signIn returns an ID token for uid from the emulator's client endpoint.
func signIn(t *testing.T, emu *emutest.Emulators, ac *auth.Client, uid string) string {
	t.Helper()
	s, err := emuclient.SignInAs(context.Background(), emu.AuthAddr, ac, uid)
	if err != nil {
		t.Fatal(err)
	}
	return s.IDToken
}

func TestFirebaseVerifierAgainstTheEmulator(t *testing.T) {
	emu, ac := startAuth(t, "demo-roomgate")
	ctx := context.Background()
	v := &authn.Firebase{Client: ac}
	if _, err := ac.CreateUser(ctx, (&auth.UserToCreate{}).UID("alice").Email("alice@example.com")); err != nil {
		t.Fatal(err)
	}
	if err := ac.SetCustomUserClaims(ctx, "alice", map[string]any{"chat": true, "role": "moderator"}); err != nil {
		t.Fatal(err)
	}
	tok := signIn(t, emu, ac, "alice")

	t.Run("a fresh token verifies with its claims", func(t *testing.T) {
		got, err := v.Verify(ctx, tok, true)
		if err != nil {
			t.Fatal(err)
		}
		if got.UID != "alice" || !got.Admitted() || got.String("role") != "moderator" || got.Email != "alice@example.com" || got.EmailVerified {
			t.Fatalf("token = %+v", got)
		}
	})
	t.Run("garbage is invalid", func(t *testing.T) {
		if _, err := v.Verify(ctx, "a.b.c", false); !errors.Is(err, authn.ErrInvalidToken) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a tampered payload is invalid", func(t *testing.T) {
		if _, err := v.Verify(ctx, tok[:len(tok)/2], false); !errors.Is(err, authn.ErrInvalidToken) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a disabled user is refused on mutation", func(t *testing.T) {
		if _, err := ac.CreateUser(ctx, (&auth.UserToCreate{}).UID("dis")); err != nil {
			t.Fatal(err)
		}
		dt := signIn(t, emu, ac, "dis")
		if _, err := ac.UpdateUser(ctx, "dis", (&auth.UserToUpdate{}).Disabled(true)); err != nil {
			t.Fatal(err)
		}
		if _, err := v.Verify(ctx, dt, true); !errors.Is(err, authn.ErrUserDisabled) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a deleted user's token is invalid", func(t *testing.T) {
		if _, err := ac.CreateUser(ctx, (&auth.UserToCreate{}).UID("gone")); err != nil {
			t.Fatal(err)
		}
		gt := signIn(t, emu, ac, "gone")
		if err := ac.DeleteUser(ctx, "gone"); err != nil {
			t.Fatal(err)
		}
		if _, err := v.Verify(ctx, gt, true); !errors.Is(err, authn.ErrInvalidToken) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a revoked token is refused on mutation", func(t *testing.T) {
		// Revocation has one-second granularity (iat < validSince).
		time.Sleep(1100 * time.Millisecond)
		if err := ac.RevokeRefreshTokens(ctx, "alice"); err != nil {
			t.Fatal(err)
		}
		if _, err := v.Verify(ctx, tok, true); !errors.Is(err, authn.ErrTokenRevoked) {
			t.Fatalf("err = %v", err)
		}
		// A token minted after the revocation is fine.
		time.Sleep(1100 * time.Millisecond)
		if _, err := v.Verify(ctx, signIn(t, emu, ac, "alice"), true); err != nil {
			t.Fatalf("new token: %v", err)
		}
	})
}

func TestATokenForAnotherProjectIsInvalid(t *testing.T) {
	emu, other := startAuth(t, "demo-other")
	ctx := context.Background()
	if _, err := other.CreateUser(ctx, (&auth.UserToCreate{}).UID("eve")); err != nil {
		t.Fatal(err)
	}
	tok := signIn(t, emu, other, "eve")
	ours := emuclient.AdminAuth(t, emu.AuthAddr, "demo-roomgate")
	if _, err := (&authn.Firebase{Client: ours}).Verify(ctx, tok, false); !errors.Is(err, authn.ErrInvalidToken) {
		t.Fatalf("err = %v", err)
	}
}
