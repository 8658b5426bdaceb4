package auth

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxClaimsLength is the emulator's limit on serialized custom claims,
// counted in UTF-16 code units like JavaScript's String.length.
const maxClaimsLength = 1000

// forbiddenClaims may not appear in custom claims, checked in this order so
// the reported name matches Google's emulator [FT:operations.ts:2668-2710].
var forbiddenClaims = []string{
	"iss", "aud", "sub", "iat", "exp", "nbf", "jti", "nonce", "azp", "acr",
	"amr", "cnf", "auth_time", "firebase", "at_hash", "c_hash",
}

// validateSerializedClaims checks a customAttributes string.
func validateSerializedClaims(s string) error {
	if utf16Len(s) > maxClaimsLength {
		return badRequest("CLAIMS_TOO_LARGE")
	}
	var v any
	if decodeJSONNumber([]byte(s), &v) != nil {
		return badRequest("INVALID_CLAIMS")
	}
	return validateClaims(v)
}

// validateClaims checks decoded claims: a JSON object without reserved names.
func validateClaims(v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		return badRequest("INVALID_CLAIMS")
	}
	for _, name := range forbiddenClaims {
		if _, bad := m[name]; bad {
			return badRequest("FORBIDDEN_CLAIM : " + name)
		}
	}
	return nil
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// passwordMinLength is the emulator's minimum password length.
const passwordMinLength = 6

func checkPassword(pw string) error {
	if utf16Len(pw) < passwordMinLength {
		return badRequestf("WEAK_PASSWORD : Password should be at least %d characters", passwordMinLength)
	}
	return nil
}

// hashPassword is Google's emulator's deliberately fake hash. Using the same
// text keeps auth_export files interchangeable with firebase-tools.
func hashPassword(password, salt string) string {
	return "fakeHash:salt=" + salt + ":password=" + password
}

// Field limits enforced before anything is stored. Google's emulator is
// looser; production rejects these, and unbounded input is a hazard.
const (
	maxUIDLength   = 128
	maxFieldLength = 2048
)

// validEmail mirrors the emulator's deliberately loose /^[^@]+@[^@]+$/ check,
// plus a length bound and no control characters.
func validEmail(email string) bool {
	at := strings.IndexByte(email, '@')
	if at <= 0 || at == len(email)-1 || strings.Count(email, "@") != 1 {
		return false
	}
	return len(email) <= maxFieldLength && printable(email)
}

// canonicalEmail lower-cases an address, as the emulator does.
func canonicalEmail(email string) string { return strings.ToLower(email) }

// validPhone mirrors the emulator's check (a leading '+'), plus digits only
// after it, so that phone numbers stay usable as index keys.
func validPhone(phone string) bool {
	if len(phone) < 2 || len(phone) > 32 || phone[0] != '+' {
		return false
	}
	for _, r := range phone[1:] {
		if (r < '0' || r > '9') && r != ' ' && r != '-' && r != '(' && r != ')' {
			return false
		}
	}
	return true
}

// validUID reports whether a caller-chosen uid is acceptable: 1-128 bytes of
// printable UTF-8, the Admin SDK's own rule.
func validUID(uid string) bool {
	return uid != "" && len(uid) <= maxUIDLength && utf8.ValidString(uid) && printable(uid)
}

func printable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// checkProfile bounds free-text profile fields.
func checkProfile(name, value string) error {
	if len(value) > maxFieldLength || !utf8.ValidString(value) {
		return badRequest(fmt.Sprintf("INVALID_ARGUMENT : %s is too long or not valid UTF-8", name))
	}
	return nil
}

// checkProfileFields applies checkProfile to the free-text fields that
// signUp and update accept (nil = not sent), in a fixed order so a
// request with several bad fields always names the same one.
func checkProfileFields(displayName, photoURL, password *string) error {
	for _, f := range []struct {
		name  string
		value *string
	}{{"displayName", displayName}, {"photoUrl", photoURL}, {"password", password}} {
		if err := checkProfile(f.name, str(f.value)); err != nil {
			return err
		}
	}
	return nil
}
