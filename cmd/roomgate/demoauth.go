package main

// demoauth.go signs users in the way a mobile app does (the Auth
// emulator's Identity Toolkit REST API, protocols §3.6) and talks to the
// roomgate service over HTTP. Both `roomgate dev` and `roomgate demo` use it.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
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

// tokenClaims decodes the payload of a JWT without verifying it. It is
// only used to show and check what the emulator put in a token; nothing
// is trusted on its strength.
func tokenClaims(token string) (map[string]any, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
}

// apiClient calls the roomgate service.
type apiClient struct {
	base string
	http *http.Client
}

func newAPIClient(base string) *apiClient {
	return &apiClient{base: strings.TrimRight(base, "/"), http: &http.Client{Timeout: 30 * time.Second}}
}

// apiError is a non-2xx answer: the status and the problem's stable code.
type apiError struct {
	Status int
	Code   string
	Detail string
}

func (e *apiError) Error() string {
	s := fmt.Sprintf("HTTP %d", e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// call sends body (nil for none) as JSON with token as the bearer and
// decodes a 2xx answer into out (nil to ignore it). A non-2xx answer is an
// *apiError. It returns the status.
func (c *apiClient) call(ctx context.Context, method, path, token string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, fmt.Errorf("roomgate service: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode/100 != 2 {
		ae := &apiError{Status: resp.StatusCode}
		var p struct{ Code, Detail, Title string }
		if json.Unmarshal(b, &p) == nil {
			ae.Code, ae.Detail = p.Code, p.Detail
			if ae.Detail == "" {
				ae.Detail = p.Title
			}
		}
		return resp.StatusCode, ae
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("roomgate service: %s %s: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}

// admitResponse is POST /v1/me/claims.
type admitResponse struct {
	Claims        map[string]any `json:"claims"`
	ClaimsVersion int64          `json:"claimsVersion"`
}

// admit has the service admit u (the chat claim) and then refreshes u's ID
// token, as the service's answer asks, so the token carries the claim.
// It checks that the refreshed token really has chat == true.
func admit(ctx context.Context, api *apiClient, auth *authClient, u *demoUser) (admitResponse, error) {
	var r admitResponse
	if _, err := api.call(ctx, http.MethodPost, "/v1/me/claims", u.IDToken, struct{}{}, &r); err != nil {
		return r, fmt.Errorf("admit %s: %w", u.Name, err)
	}
	if err := auth.refresh(ctx, u); err != nil {
		return r, err
	}
	claims, err := tokenClaims(u.IDToken)
	if err != nil {
		return r, fmt.Errorf("admit %s: refreshed token: %w", u.Name, err)
	}
	if claims["chat"] != true {
		return r, fmt.Errorf("admit %s: the refreshed ID token does not carry chat=true", u.Name)
	}
	return r, nil
}

// roomResponse is the part of a room the tools use.
type roomResponse struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Kind        string `json:"kind"`
	MemberCount int    `json:"memberCount"`
	Members     []struct {
		UID  string `json:"uid"`
		Role string `json:"role"`
	} `json:"members"`
}
