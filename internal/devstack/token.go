package devstack

// token.go reads the claims of an ID token, for display and checks only.

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

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
