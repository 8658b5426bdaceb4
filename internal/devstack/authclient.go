package devstack

// authclient.go signs users in the way a mobile app does, through the Auth
// emulator's Identity Toolkit REST API (emulator/emutest/emuclient's
// client calls). Both the local stack and the demo use it.

import (
	"context"
	"fmt"
	"strings"

	"github.com/roomgate/roomgate/emulator/emutest/emuclient"
)

// demoUser is a signed-in end user as a client app holds it: its name and
// credentials, and the session (UID, IDToken, RefreshToken) the Auth
// emulator returned.
type demoUser struct {
	Name, Email, Password string
	emuclient.Session
}

// authClient is the client side of the Auth emulator at addr (host:port).
type authClient struct {
	addr string
}

func newAuthClient(addr string) *authClient {
	return &authClient{addr: hostPort(addr)}
}

// hostPort drops an http:// or https:// prefix: the emulators' addresses
// are host:port, as FIRESTORE_EMULATOR_HOST and friends carry them.
func hostPort(addr string) string {
	return strings.TrimPrefix(strings.TrimPrefix(addr, "http://"), "https://")
}

// signUp creates an email/password account (accounts:signUp).
func (a *authClient) signUp(ctx context.Context, u *demoUser) error {
	s, err := emuclient.SignUp(ctx, a.addr, u.Email, u.Password)
	if err != nil {
		return fmt.Errorf("sign up %s: auth emulator: %w", u.Name, err)
	}
	return u.take("sign up", s)
}

// signIn signs in with email and password (accounts:signInWithPassword).
func (a *authClient) signIn(ctx context.Context, u *demoUser) error {
	s, err := emuclient.SignInWithPassword(ctx, a.addr, u.Email, u.Password)
	if err != nil {
		return fmt.Errorf("sign in %s: auth emulator: %w", u.Name, err)
	}
	return u.take("sign in", s)
}

// refresh exchanges u's refresh token for a new ID token, which carries
// the custom claims as they are now: what a client's getIdToken(true)
// does after the service changed its claims.
func (a *authClient) refresh(ctx context.Context, u *demoUser) error {
	s, err := emuclient.Refresh(ctx, a.addr, u.RefreshToken)
	if err != nil {
		return fmt.Errorf("refresh %s: auth emulator: %w", u.Name, err)
	}
	if s.UID != u.UID {
		return fmt.Errorf("refresh %s: the answer lacks a token for this user", u.Name)
	}
	u.Session = s
	return nil
}

// take keeps a complete session.
func (u *demoUser) take(op string, s emuclient.Session) error {
	if s.UID == "" || s.IDToken == "" || s.RefreshToken == "" {
		return fmt.Errorf("%s %s: the answer lacks uid or tokens", op, u.Name)
	}
	u.Session = s
	return nil
}
