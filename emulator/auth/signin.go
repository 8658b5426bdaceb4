package auth

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// This file holds the client sign-in operations that mint tokens:
// signInWithPassword, signInWithCustomToken, the securetoken refresh, and the
// Admin SDK's createSessionCookie.

type passwordRequest struct {
	Email            *string         `json:"email"`
	Password         *string         `json:"password"`
	IDToken          json.RawMessage `json:"idToken"`
	PendingIDToken   json.RawMessage `json:"pendingIdToken"`
	CaptchaResponse  json.RawMessage `json:"captchaResponse"`
	CaptchaChallenge json.RawMessage `json:"captchaChallenge"`
}

type passwordResponse struct {
	Kind         string `json:"kind"`
	Registered   bool   `json:"registered"`
	LocalID      string `json:"localId"`
	Email        string `json:"email"`
	IDToken      string `json:"idToken"`
	RefreshToken string `json:"refreshToken"`
	ExpiresIn    string `json:"expiresIn"`
}

// opSignInWithPassword signs in with email and password. With improved email
// privacy (emulator config) every credential failure is
// INVALID_LOGIN_CREDENTIALS, so callers cannot probe which emails exist.
func opSignInWithPassword(s *server, c *call) (any, error) {
	var req passwordRequest
	if err := decodeInto(c.body, &req); err != nil {
		return nil, err
	}
	if req.Email == nil {
		return nil, badRequest("MISSING_EMAIL")
	}
	if !validEmail(*req.Email) {
		return nil, badRequest("INVALID_EMAIL")
	}
	if str(req.Password) == "" {
		return nil, badRequest("MISSING_PASSWORD")
	}
	if present(req.CaptchaResponse) || present(req.CaptchaChallenge) {
		return nil, notImplemented("captcha unimplemented")
	}
	if present(req.IDToken) || present(req.PendingIDToken) {
		return nil, notImplemented("idToken / pendingIdToken is no longer in use and unsupported by the Auth Emulator.")
	}
	email := canonicalEmail(*req.Email)
	now := s.now()
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	p := s.st.projectLocked(c.project)
	u := p.userByEmail(email)
	private := p.config.EmailPrivacyConfig.EnableImprovedEmailPrivacy
	fail := func(code string) error {
		if private {
			return badRequest("INVALID_LOGIN_CREDENTIALS")
		}
		return badRequest(code)
	}
	if u == nil {
		return nil, fail("EMAIL_NOT_FOUND")
	}
	if u.Disabled {
		return nil, badRequest("USER_DISABLED")
	}
	if u.PasswordHash == "" || u.Salt == "" || !equalSecret(u.PasswordHash, hashPassword(*req.Password, u.Salt)) {
		return nil, fail("INVALID_PASSWORD")
	}
	c.uid = u.LocalID
	u.LastLoginAt = millis(now)
	t := issueTokensLocked(p, u, "password", nil, now)
	return passwordResponse{
		Kind: "identitytoolkit#VerifyPasswordResponse", Registered: true,
		LocalID: u.LocalID, Email: email,
		IDToken: t.IDToken, RefreshToken: t.RefreshToken, ExpiresIn: strconv.Itoa(tokenLifetime),
	}, nil
}

type customTokenRequest struct {
	Token *string `json:"token"`
}

type customTokenResponse struct {
	Kind         string `json:"kind"`
	IsNewUser    bool   `json:"isNewUser"`
	IDToken      string `json:"idToken"`
	RefreshToken string `json:"refreshToken"`
	ExpiresIn    string `json:"expiresIn"`
}

// opSignInWithCustomToken accepts an unverified JWT of any alg whose aud is
// the Identity Toolkit audience, or (emulator only) a plain JSON object
// {"uid":..., "claims":{...}}. iat and exp are not checked, as in Google's
// emulator, so tests can reuse tokens. Unknown uids are created; claims
// become extra claims of every ID token of this session.
func opSignInWithCustomToken(s *server, c *call) (any, error) {
	var req customTokenRequest
	if err := decodeInto(c.body, &req); err != nil {
		return nil, err
	}
	tok := str(req.Token)
	if tok == "" {
		return nil, badRequest("MISSING_CUSTOM_TOKEN")
	}
	var payload map[string]any
	if strings.HasPrefix(tok, "{") {
		if decodeJSONNumber([]byte(tok), &payload) != nil || payload == nil {
			return nil, badRequest("INVALID_CUSTOM_TOKEN : ((Auth Emulator only accepts strict JSON or JWTs as fake custom tokens.))")
		}
	} else {
		t, ok := decodeJWT(tok)
		if !ok {
			return nil, badRequest("INVALID_CUSTOM_TOKEN : Invalid assertion format")
		}
		if alg, _ := t.Header["alg"].(string); alg != "none" {
			s.log("WARNING: received a signed custom token; this emulator does not verify signatures and IS NOT SECURE")
		}
		if aud, _ := t.Payload["aud"].(string); aud != customTokenAudience {
			return nil, badRequest("INVALID_CUSTOM_TOKEN : ((Invalid aud (audience). Note: Firebase ID Tokens / third-party tokens cannot be used with signInWithCustomToken.))")
		}
		payload = t.Payload
	}
	if tid, _ := payload["tenant_id"].(string); tid != "" {
		return nil, notImplemented("tenants are not supported by this Auth emulator")
	}
	uid := primitiveString(payload["uid"])
	if uid == "" {
		uid = primitiveString(payload["user_id"])
	}
	if uid == "" {
		return nil, badRequest("MISSING_IDENTIFIER")
	}
	if !validUID(uid) {
		return nil, badRequest("INVALID_CUSTOM_TOKEN : uid must be 1-128 printable characters")
	}
	var extra map[string]any
	if claims, ok := payload["claims"]; ok {
		if err := validateClaims(claims); err != nil {
			return nil, err
		}
		extra = claims.(map[string]any)
	}
	now := s.now()
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	p := s.st.projectLocked(c.project)
	u := p.users[uid]
	isNew := u == nil
	if isNew {
		u = &UserRecord{LocalID: uid, CreatedAt: millis(now)}
	} else if u.Disabled {
		return nil, badRequest("USER_DISABLED")
	}
	u.CustomAuth = true
	u.LastLoginAt = millis(now)
	p.put(u, u.Email, u.PhoneNumber)
	c.uid = uid
	t := issueTokensLocked(p, u, "custom", extra, now)
	return customTokenResponse{
		Kind: "identitytoolkit#VerifyCustomTokenResponse", IsNewUser: isNew,
		IDToken: t.IDToken, RefreshToken: t.RefreshToken, ExpiresIn: strconv.Itoa(tokenLifetime),
	}, nil
}

// primitiveString is the emulator's coercePrimitiveToString.
func primitiveString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		return t.String()
	case bool:
		return strconv.FormatBool(t)
	}
	return ""
}

type grantRequest struct {
	GrantType    *string `json:"grantType"`
	RefreshToken *string `json:"refreshToken"`
}

type grantResponse struct {
	IDToken      string `json:"id_token"`
	AccessToken  string `json:"access_token"`
	ExpiresIn    string `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	UserID       string `json:"user_id"`
	ProjectID    string `json:"project_id"`
}

// opGrantToken is POST /securetoken.googleapis.com/v1/token with
// grant_type=refresh_token. Like Google's emulator it checks only that the
// token decodes, names the default project, and that its user exists and is
// enabled. It does NOT check validSince (production does), so a refresh after
// RevokeRefreshTokens still succeeds here; the resulting ID token is fresh.
// The new ID token carries the user's current custom claims.
func opGrantToken(s *server, c *call) (any, error) {
	var req grantRequest
	if err := decodeInto(c.body, &req); err != nil {
		return nil, err
	}
	if str(req.GrantType) == "" {
		return nil, badRequest("MISSING_GRANT_TYPE")
	}
	if *req.GrantType != "refresh_token" {
		return nil, badRequest("INVALID_GRANT_TYPE")
	}
	if str(req.RefreshToken) == "" {
		return nil, badRequest("MISSING_REFRESH_TOKEN")
	}
	rec, err := decodeRefreshToken(*req.RefreshToken)
	if err != nil {
		return nil, err
	}
	if rec.TenantID != "" {
		return nil, notImplemented("tenants are not supported by this Auth emulator")
	}
	now := s.now()
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	p := s.st.projectLocked(c.project)
	if rec.ProjectID != p.id {
		return nil, badRequest("INVALID_REFRESH_TOKEN")
	}
	u := p.users[rec.LocalID]
	if u == nil {
		return nil, badRequest("INVALID_REFRESH_TOKEN")
	}
	if u.Disabled {
		return nil, badRequest("USER_DISABLED")
	}
	c.uid = u.LocalID
	t := issueTokensLocked(p, u, rec.Provider, rec.ExtraClaims, now)
	return grantResponse{
		IDToken: t.IDToken, AccessToken: t.IDToken, ExpiresIn: strconv.Itoa(tokenLifetime),
		RefreshToken: t.RefreshToken, TokenType: "Bearer", UserID: u.LocalID, ProjectID: projectNumber,
	}, nil
}

type sessionCookieRequest struct {
	IDToken       *string     `json:"idToken"`
	ValidDuration *flexString `json:"validDuration"`
}

// Session cookie lifetimes allowed by Identity Toolkit.
const (
	minSessionSeconds = 5 * 60
	maxSessionSeconds = 14 * 24 * 60 * 60
)

// opCreateSessionCookie turns an ID token into an unsigned session cookie
// with issuer https://session.firebase.google.com/<project>.
func opCreateSessionCookie(s *server, c *call) (any, error) {
	var req sessionCookieRequest
	if err := decodeInto(c.body, &req); err != nil {
		return nil, err
	}
	if str(req.IDToken) == "" {
		return nil, badRequest("MISSING_ID_TOKEN")
	}
	valid := int64(maxSessionSeconds)
	if req.ValidDuration != nil {
		f, err := strconv.ParseFloat(string(*req.ValidDuration), 64)
		if err != nil {
			return nil, badRequest("INVALID_DURATION")
		}
		if f != 0 {
			valid = int64(f)
		}
	}
	if valid < minSessionSeconds || valid > maxSessionSeconds {
		return nil, badRequest("INVALID_DURATION")
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	p := s.st.projectLocked(c.project)
	u, _, err := parseIDTokenLocked(p, *req.IDToken)
	if err != nil {
		return nil, err
	}
	c.uid = u.LocalID
	t, _ := decodeJWT(*req.IDToken)
	return map[string]string{"sessionCookie": sessionCookie(t.Payload, valid, s.now())}, nil
}

func sessionCookie(payload map[string]any, valid int64, now time.Time) string {
	var cl claimList
	keys := make([]string, 0, len(payload))
	for k := range payload {
		keys = append(keys, k)
	}
	for _, k := range sortedKeys(keys) {
		cl.set(k, payload[k])
	}
	aud, _ := payload["aud"].(string)
	cl.set("iat", now.Unix())
	cl.set("exp", now.Unix()+valid)
	cl.set("iss", "https://session.firebase.google.com/"+aud)
	b, _ := cl.MarshalJSON()
	return jwtHeaderNone + "." + b64url(b) + "."
}
