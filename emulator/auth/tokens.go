package auth

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	// tokenLifetime is the lifetime of every ID token (expiresIn "3600").
	tokenLifetime = 3600
	// customTokenAudience is the aud of custom tokens minted by Admin SDKs.
	customTokenAudience = "https://identitytoolkit.googleapis.com/google.identity.identitytoolkit.v1.IdentityToolkit"
	// projectNumber is the obviously fake project number Google's emulator
	// reports as securetoken's project_id.
	projectNumber = "12345"
)

// jwtHeaderNone is {"alg":"none","typ":"JWT"}: tokens are unsigned and end in
// ".". The Admin SDK skips signature checks in emulator mode.
var jwtHeaderNone = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))

// tokens is what a sign-in returns.
type tokens struct {
	IDToken      string
	RefreshToken string
}

// issueTokensLocked mints an ID token and a refresh token for u and records
// lastRefreshAt, like issueTokens in firebase-tools' operations.ts.
func issueTokensLocked(p *project, u *UserRecord, provider string, extra map[string]any, now time.Time) tokens {
	u.LastRefreshAt = now.UTC().Format("2006-01-02T15:04:05.000Z")
	return tokens{
		IDToken: idToken(p.id, u, provider, extra, now),
		RefreshToken: encodeRefreshToken(refreshRecord{
			Marker: "DO NOT MODIFY", LocalID: u.LocalID, Provider: provider,
			ExtraClaims: extraOrEmpty(extra), ProjectID: p.id, TenantID: u.TenantID,
		}),
	}
}

func extraOrEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// idToken builds the unsigned ID token. Claims follow the precedence of
// Google's emulator [FT:operations.ts generateJwt]: name and picture, then the
// user's custom claims, then extra claims from a custom-token sign-in, then
// the reserved claims (which always win, and erase a custom claim of the same
// name when their own value is unset), then iat, exp, aud, iss and sub.
func idToken(projectID string, u *UserRecord, provider string, extra map[string]any, now time.Time) string {
	var c claimList
	c.set("name", optString(u.DisplayName))
	c.set("picture", optString(u.PhotoURL))
	if u.CustomAttributes != "" {
		var custom map[string]any
		if decodeJSONNumber([]byte(u.CustomAttributes), &custom) == nil {
			c.setAll(custom)
		}
	}
	c.setAll(extra)
	c.set("email", optString(u.Email))
	if u.EmailVerified != nil {
		c.set("email_verified", *u.EmailVerified)
	} else {
		c.set("email_verified", nil)
	}
	c.set("phone_number", optString(u.PhoneNumber))
	if provider == "anonymous" {
		c.set("provider_id", provider)
	} else {
		c.set("provider_id", nil)
	}
	c.set("auth_time", authTime(u, now))
	c.set("user_id", u.LocalID)
	c.set("firebase", map[string]any{
		"identities":       identities(u),
		"sign_in_provider": provider,
	})
	iat := now.Unix()
	c.set("iat", iat)
	c.set("exp", iat+tokenLifetime)
	c.set("aud", projectID)
	c.set("iss", "https://securetoken.google.com/"+projectID)
	c.set("sub", u.LocalID)
	payload, err := c.MarshalJSON()
	if err != nil {
		// Only values decoded from JSON are stored, so this cannot happen.
		panic("auth: marshal ID token: " + err.Error())
	}
	return jwtHeaderNone + "." + base64.RawURLEncoding.EncodeToString(payload) + "."
}

func optString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// authTime is the last login in seconds, else the last token refresh.
func authTime(u *UserRecord, now time.Time) int64 {
	if ms, err := strconv.ParseInt(u.LastLoginAt, 10, 64); err == nil {
		return ms / 1000
	}
	if t, err := time.Parse(time.RFC3339, u.LastRefreshAt); err == nil {
		return t.Unix()
	}
	return now.Unix()
}

// identities is firebase.identities: {email:[email]} plus every linked
// provider except "password" as {providerId:[rawId...]}.
func identities(u *UserRecord) map[string]any {
	ids := map[string]any{}
	if u.Email != "" {
		ids["email"] = []string{u.Email}
	}
	for _, pi := range u.ProviderUserInfo {
		if pi.ProviderID == "" || pi.ProviderID == "password" || pi.RawID == "" {
			continue
		}
		prev, _ := ids[pi.ProviderID].([]string)
		ids[pi.ProviderID] = append(prev, pi.RawID)
	}
	return ids
}

// claimList is a JSON object that keeps insertion order and gives the
// JavaScript object-spread semantics the emulator relies on: setting a key
// again replaces its value in place; setting it to nil removes it.
type claimList struct {
	keys []string
	vals map[string]any
}

func (c *claimList) set(k string, v any) {
	if c.vals == nil {
		c.vals = make(map[string]any)
	}
	if v == nil {
		if _, ok := c.vals[k]; ok {
			delete(c.vals, k)
			for i, key := range c.keys {
				if key == k {
					c.keys = append(c.keys[:i], c.keys[i+1:]...)
					break
				}
			}
		}
		return
	}
	if _, ok := c.vals[k]; !ok {
		c.keys = append(c.keys, k)
	}
	c.vals[k] = v
}

// setAll adds m in sorted key order (Go maps have none; JSON objects' order
// carries no meaning for claims).
func (c *claimList) setAll(m map[string]any) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if m[k] == nil {
			// A JSON null claim is kept, as JSON.stringify keeps null.
			c.set(k, json.RawMessage("null"))
			continue
		}
		c.set(k, m[k])
	}
}

func (c *claimList) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range c.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		vb, err := json.Marshal(c.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// jwt is a decoded, unverified JWT.
type jwt struct {
	Header  map[string]any
	Payload map[string]any
}

// decodeJWT splits and decodes a JWT without checking any signature, like
// jsonwebtoken's decode(): the signature segment may be empty, header and
// payload must be base64url JSON objects.
func decodeJWT(token string) (*jwt, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return nil, false
	}
	var t jwt
	for i, dst := range []*map[string]any{&t.Header, &t.Payload} {
		raw, err := decodeBase64(parts[i])
		if err != nil || decodeJSONNumber(raw, dst) != nil || *dst == nil {
			return nil, false
		}
	}
	return &t, true
}

// decodeBase64 accepts standard and URL alphabets, padded or not, as
// Node's Buffer.from(s, "base64") does.
func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

func decodeJSONNumber(b []byte, dst any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(dst); err != nil {
		return err
	}
	if d.More() {
		return errTrailingData
	}
	return nil
}

var errTrailingData = badRequest("trailing data after JSON value")

// parseIDTokenLocked resolves an ID token sent by a client to its user, as
// parseIdToken in firebase-tools: the token is decoded without verification;
// the user must exist, must not be revoked (iat < validSince gives
// TOKEN_EXPIRED) and must not be disabled. exp is deliberately not checked.
// It returns the user and the token's sign-in provider.
func parseIDTokenLocked(p *project, token string) (*UserRecord, string, error) {
	t, ok := decodeJWT(token)
	if !ok {
		return nil, "", badRequest("INVALID_ID_TOKEN")
	}
	fb, ok := t.Payload["firebase"].(map[string]any)
	if !ok {
		return nil, "", badRequest("INVALID_ID_TOKEN")
	}
	if tenant, _ := fb["tenant"].(string); tenant != "" {
		return nil, "", notImplemented("tenants are not supported by this Auth emulator")
	}
	uid, _ := t.Payload["user_id"].(string)
	u := p.users[uid]
	if uid == "" || u == nil {
		return nil, "", badRequest("USER_NOT_FOUND")
	}
	if u.ValidSince != "" {
		iat, ok := numberClaim(t.Payload["iat"])
		vs, err := strconv.ParseInt(u.ValidSince, 10, 64)
		if !ok || (err == nil && iat < vs) {
			return nil, "", badRequest("TOKEN_EXPIRED")
		}
	}
	if u.Disabled {
		return nil, "", badRequest("USER_DISABLED")
	}
	provider, _ := fb["sign_in_provider"].(string)
	return u, provider, nil
}

func numberClaim(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	if i, err := n.Int64(); err == nil {
		return i, true
	}
	f, err := n.Float64()
	return int64(f), err == nil
}

// refreshRecord is the refresh token's content: base64 of this JSON, decoded
// statelessly, exactly as Google's emulator encodes it, so
// refresh tokens from either emulator work on the other.
type refreshRecord struct {
	Marker       string         `json:"_AuthEmulatorRefreshToken"`
	LocalID      string         `json:"localId"`
	Provider     string         `json:"provider"`
	ExtraClaims  map[string]any `json:"extraClaims"`
	ProjectID    string         `json:"projectId"`
	SecondFactor any            `json:"secondFactor,omitempty"`
	TenantID     string         `json:"tenantId,omitempty"`
}

func encodeRefreshToken(r refreshRecord) string {
	b, err := json.Marshal(r)
	if err != nil {
		panic("auth: marshal refresh token: " + err.Error())
	}
	return base64.StdEncoding.EncodeToString(b)
}

func decodeRefreshToken(s string) (*refreshRecord, error) {
	raw, err := decodeBase64(s)
	if err != nil {
		return nil, badRequest("INVALID_REFRESH_TOKEN")
	}
	var r refreshRecord
	if decodeJSONNumber(raw, &r) != nil || r.Marker == "" || r.LocalID == "" {
		return nil, badRequest("INVALID_REFRESH_TOKEN")
	}
	return &r, nil
}

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func sortedKeys(keys []string) []string {
	sort.Strings(keys)
	return keys
}

// equalSecret compares password hashes in constant time.
func equalSecret(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
