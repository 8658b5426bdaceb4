package auth

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// UserRecord is one account exactly as the Auth emulator serializes it in
// accounts:lookup, accounts:batchGet and auth_export/accounts.json.
// Note the type traps the Go Admin SDK depends on:
// CreatedAt and LastLoginAt (milliseconds) and ValidSince (seconds) are JSON
// strings holding integers, LastRefreshAt is RFC 3339, CustomAttributes is a
// string holding a JSON object.
type UserRecord struct {
	LocalID       string `json:"localId"`
	Email         string `json:"email,omitempty"`
	EmailVerified *bool  `json:"emailVerified,omitempty"` // nil: never set (anonymous users)
	DisplayName   string `json:"displayName,omitempty"`
	PhotoURL      string `json:"photoUrl,omitempty"`
	PhoneNumber   string `json:"phoneNumber,omitempty"`
	Disabled      bool   `json:"disabled,omitempty"`
	// CustomAttributes is the JSON text of the custom claims, or "".
	CustomAttributes string `json:"customAttributes,omitempty"`
	// PasswordHash and Salt use Google's emulator format
	// ("fakeHash:salt=<salt>:password=<password>"), so exports interoperate
	// with firebase-tools. They are NOT secure: never put real passwords here.
	PasswordHash      string             `json:"passwordHash,omitempty"`
	Salt              string             `json:"salt,omitempty"`
	PasswordUpdatedAt int64              `json:"passwordUpdatedAt,omitempty"`
	ProviderUserInfo  []ProviderUserInfo `json:"providerUserInfo,omitempty"`
	ValidSince        string             `json:"validSince,omitempty"`
	CreatedAt         string             `json:"createdAt,omitempty"`
	LastLoginAt       string             `json:"lastLoginAt,omitempty"`
	LastRefreshAt     string             `json:"lastRefreshAt,omitempty"`
	TenantID          string             `json:"tenantId,omitempty"`
	InitialEmail      string             `json:"initialEmail,omitempty"`
	CustomAuth        bool               `json:"customAuth,omitempty"`
	EmailLinkSignin   bool               `json:"emailLinkSignin,omitempty"`
}

// ProviderUserInfo is one linked identity of a user. The emulator maintains
// the "password" entry (rawId = federatedId = email) and the "phone" entry
// itself; others come from linkProviderUserInfo or an import.
type ProviderUserInfo struct {
	ProviderID  string `json:"providerId"`
	RawID       string `json:"rawId"`
	FederatedID string `json:"federatedId,omitempty"`
	Email       string `json:"email,omitempty"`
	DisplayName string `json:"displayName,omitempty"`
	PhotoURL    string `json:"photoUrl,omitempty"`
	PhoneNumber string `json:"phoneNumber,omitempty"`
	ScreenName  string `json:"screenName,omitempty"`
}

// clone returns a deep copy, so callers outside the lock never share memory
// with the store.
func (u *UserRecord) clone() *UserRecord {
	c := *u
	if u.EmailVerified != nil {
		v := *u.EmailVerified
		c.EmailVerified = &v
	}
	if u.ProviderUserInfo != nil {
		c.ProviderUserInfo = append([]ProviderUserInfo(nil), u.ProviderUserInfo...)
	}
	return &c
}

// redacted is the copy returned to non-privileged callers. Google's emulator
// returns the fake hash as is; production replaces it with base64("REDACTED")
// and drops the salt. We do what production does: a client never needs it.
func (u *UserRecord) redacted() *UserRecord {
	c := u.clone()
	if c.PasswordHash != "" {
		c.PasswordHash = "UkVEQUNURUQ="
	}
	c.Salt = ""
	return c
}

func boolPtr(b bool) *bool { return &b }

// flexString decodes a JSON string or number into its decimal text. The real
// emulator coerces numbers to strings for string-typed fields (the Go Admin
// SDK's ImportUsers sends createdAt and lastLoginAt as numbers).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexString(n.String())
	return nil
}

// isInt reports whether s is a (possibly negative) base-10 integer, which is
// what the Admin SDK's `,string` int64 decoding requires.
func isInt(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}
