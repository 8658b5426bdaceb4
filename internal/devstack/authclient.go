package devstack

// authclient.go signs users in the way a mobile app does, through the Auth
// emulator's Identity Toolkit REST API. Both the local stack and the demo
// use it.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// clientAPIKey is sent as ?key= on client calls. The Auth emulator accepts
// any value; it only tells a client call from an admin one.
const clientAPIKey = "roomgate-local-dev"

// demoUser is a signed-in end user as a client app holds it.
type demoUser struct {
	Name, Email, Password string
	UID                   string
	IDToken               string
	RefreshToken          string
}

// authClient is the client side of the Auth emulator.
type authClient struct {
	base string // http://host:port
	http *http.Client
}

func newAuthClient(addr string) *authClient {
	addr = strings.TrimPrefix(strings.TrimPrefix(addr, "http://"), "https://")
	return &authClient{base: "http://" + addr, http: &http.Client{Timeout: 15 * time.Second}}
}

// identityError is the Identity Toolkit error body.
type identityError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (a *authClient) post(ctx context.Context, path string, contentType string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := a.http.Do(req)
	if err != nil {
		return fmt.Errorf("auth emulator: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("auth emulator: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var ie identityError
		if json.Unmarshal(b, &ie) == nil && ie.Error.Message != "" {
			return fmt.Errorf("auth emulator: %s", ie.Error.Message)
		}
		return fmt.Errorf("auth emulator: %s", resp.Status)
	}
	return json.Unmarshal(b, out)
}

type signInResponse struct {
	LocalID      string `json:"localId"`
	IDToken      string `json:"idToken"`
	RefreshToken string `json:"refreshToken"`
}

func (a *authClient) account(ctx context.Context, op string, u *demoUser) error {
	body, _ := json.Marshal(map[string]any{"email": u.Email, "password": u.Password, "returnSecureToken": true})
	var r signInResponse
	if err := a.post(ctx, "/identitytoolkit.googleapis.com/v1/accounts:"+op+"?key="+clientAPIKey,
		"application/json", bytes.NewReader(body), &r); err != nil {
		return fmt.Errorf("%s %s: %w", op, u.Name, err)
	}
	if r.LocalID == "" || r.IDToken == "" || r.RefreshToken == "" {
		return fmt.Errorf("%s %s: the answer lacks uid or tokens", op, u.Name)
	}
	u.UID, u.IDToken, u.RefreshToken = r.LocalID, r.IDToken, r.RefreshToken
	return nil
}

// signUp creates an email/password account (accounts:signUp).
func (a *authClient) signUp(ctx context.Context, u *demoUser) error {
	return a.account(ctx, "signUp", u)
}

// signIn signs in with email and password (accounts:signInWithPassword).
func (a *authClient) signIn(ctx context.Context, u *demoUser) error {
	return a.account(ctx, "signInWithPassword", u)
}

// refresh exchanges u's refresh token for a new ID token, which carries
// the custom claims as they are now: what a client's getIdToken(true)
// does after the service changed its claims.
func (a *authClient) refresh(ctx context.Context, u *demoUser) error {
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {u.RefreshToken}}
	var r struct {
		IDToken      string `json:"id_token"`
		RefreshToken string `json:"refresh_token"`
		UserID       string `json:"user_id"`
	}
	if err := a.post(ctx, "/securetoken.googleapis.com/v1/token?key="+clientAPIKey,
		"application/x-www-form-urlencoded", strings.NewReader(form.Encode()), &r); err != nil {
		return fmt.Errorf("refresh %s: %w", u.Name, err)
	}
	if r.IDToken == "" || r.UserID != u.UID {
		return fmt.Errorf("refresh %s: the answer lacks a token for this user", u.Name)
	}
	u.IDToken = r.IDToken
	if r.RefreshToken != "" {
		u.RefreshToken = r.RefreshToken
	}
	return nil
}
