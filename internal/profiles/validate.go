package profiles

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds of profile fields.
const (
	MaxDisplayNameRunes = 64
	MaxAvatarURLBytes   = 2048
	MaxEmailBytes       = 254
)

// Validate checks a profile: ValidateDisplayName and ValidateAvatarURL.
func Validate(p Profile) error {
	if err := ValidateDisplayName(p.DisplayName); err != nil {
		return err
	}
	return ValidateAvatarURL(p.AvatarURL)
}

// ValidateDisplayName accepts 1 to MaxDisplayNameRunes characters of valid
// UTF-8 without leading or trailing white space, with at least one
// visible character, and without characters that hide or disguise text:
// control characters, format characters (bidi embeddings, overrides,
// isolates and marks, zero-width spaces, the BOM, soft hyphens: the
// "Trojan Source" and blank-name tricks), line and paragraph separators,
// private-use and unassigned-surrogate code points and noncharacters. The
// zero-width joiner and non-joiner (emoji sequences, Persian and Indic
// text) and emoji tag characters (subdivision flags) stay allowed.
func ValidateDisplayName(name string) error {
	if !utf8.ValidString(name) {
		return invalid("displayName", "must be valid UTF-8")
	}
	n := utf8.RuneCountInString(name)
	if n == 0 {
		return invalid("displayName", "must not be empty")
	}
	if n > MaxDisplayNameRunes {
		return invalid("displayName", "at most %d characters, got %d", MaxDisplayNameRunes, n)
	}
	if strings.TrimFunc(name, unicode.IsSpace) != name {
		return invalid("displayName", "must not start or end with white space")
	}
	visible := false
	for _, r := range name {
		if hiddenRune(r) {
			return invalid("displayName", "must not contain control, format, bidi or private-use characters (U+%04X)", r)
		}
		if visibleRune(r) {
			visible = true
		}
	}
	if !visible {
		return invalid("displayName", "must contain a visible character")
	}
	return nil
}

// hiddenRune reports the characters a display name must not contain.
func hiddenRune(r rune) bool {
	switch {
	case r == 0x200C || r == 0x200D: // ZWNJ, ZWJ
		return false
	case r >= 0xE0020 && r <= 0xE007F: // emoji tag sequences
		return false
	case unicode.IsControl(r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Co, r), unicode.Is(unicode.Cs, r):
		return true
	case r == 0x2028 || r == 0x2029:
		return true
	case r >= 0xFDD0 && r <= 0xFDEF, r&0xFFFE == 0xFFFE: // noncharacters
		return true
	}
	return false
}

// invisibleGraphic are letters and symbols that render as nothing: the
// Hangul fillers, the braille blank, the Mongolian vowel separator and
// the Khmer inherent vowels.
var invisibleGraphic = map[rune]bool{
	0x115F: true, 0x1160: true, 0x3164: true, 0xFFA0: true, 0x2800: true,
	0x180E: true, 0x17B4: true, 0x17B5: true,
}

// visibleRune reports whether r shows on its own: a letter, digit,
// punctuation or symbol that is not one of invisibleGraphic. (Combining
// marks and spaces alone do not make a name.)
func visibleRune(r rune) bool {
	if invisibleGraphic[r] {
		return false
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
}

// ValidateAvatarURL accepts "" (no avatar) or an absolute https URL of at
// most MaxAvatarURLBytes printable ASCII characters with a host and
// without user information.
func ValidateAvatarURL(s string) error {
	if s == "" {
		return nil
	}
	if len(s) > MaxAvatarURLBytes {
		return invalid("avatarUrl", "at most %d bytes", MaxAvatarURLBytes)
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= 0x20 || s[i] >= 0x7f {
			return invalid("avatarUrl", "must be printable ASCII without spaces (percent-encode the rest)")
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return invalid("avatarUrl", "not a URL")
	}
	switch {
	case u.Scheme != "https":
		return invalid("avatarUrl", "must be an https URL")
	case u.Host == "" || u.Hostname() == "":
		return invalid("avatarUrl", "must have a host")
	case u.User != nil:
		return invalid("avatarUrl", "must not contain user information")
	}
	return nil
}

// NormaliseEmail returns the form of an email address that lookups
// compare: lower case (Firebase Auth stores addresses lower-cased). It
// refuses what cannot be an address: more than MaxEmailBytes, not exactly
// one @ with text on both sides, white space or control characters.
func NormaliseEmail(s string) (string, error) {
	if s == "" || len(s) > MaxEmailBytes || !utf8.ValidString(s) {
		return "", invalid("email", "not an email address")
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		return "", invalid("email", "not an email address")
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return "", invalid("email", "not an email address")
		}
	}
	return strings.ToLower(s), nil
}

// LookupKey is the userLookup document ID of a normalised address: its
// hex SHA-256, so the collection does not hold addresses in clear.
func LookupKey(normalised string) string {
	sum := sha256.Sum256([]byte("roomgate-email-lookup\x00" + normalised))
	return hex.EncodeToString(sum[:])
}
