package rooms

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/roomgate/roomgate/internal/schema"
)

// validateCreate checks a creation request before any lookup or write
// (Limits.ParseCreate is its only caller).
func validateCreate(caller string, req CreateRequest, lim Limits) error {
	switch req.Kind {
	case KindGroup, KindDirect:
	default:
		return invalid("kind", `must be "group" or "direct"`)
	}
	if err := ValidateTitle(req.Title, lim.MaxTitleRunes); err != nil {
		return err
	}
	if err := validateUIDs(caller, req.Members, lim); err != nil {
		return err
	}
	if req.Kind == KindDirect && len(req.Members) != 1 {
		return invalid("members", "a direct room needs exactly one other member")
	}
	return nil
}

// validateAdd checks the uids of an add-members request (Limits.ParseAdd
// is its only caller).
func validateAdd(caller string, uids []string, lim Limits) error {
	if len(uids) == 0 {
		return invalid("members", "must list at least one uid")
	}
	return validateUIDs(caller, uids, lim)
}

func validateUIDs(caller string, uids []string, lim Limits) error {
	if len(uids) > lim.MaxMembers-1 {
		return invalid("members", "at most %d other members", lim.MaxMembers-1)
	}
	seen := make(map[string]bool, len(uids))
	for _, u := range uids {
		if !schema.ValidUID(u) {
			return invalid("members", "%q is not a valid uid", clip(u))
		}
		if u == caller {
			return invalid("members", "must not include the caller")
		}
		if seen[u] {
			return invalid("members", "%q is listed twice", u)
		}
		seen[u] = true
	}
	return nil
}

// ValidateTitle checks a title: valid UTF-8, at most max characters, no
// control characters (nor bidi overrides or line separators, see
// isLayoutControl), and not made only of white space (an absent title is
// fine: a title has 0 to max characters).
func ValidateTitle(title string, max int) error {
	if !utf8.ValidString(title) {
		return invalid("title", "must be valid UTF-8")
	}
	if n := utf8.RuneCountInString(title); n > max {
		return invalid("title", "at most %d characters, got %d", max, n)
	}
	if title != "" && strings.TrimSpace(title) == "" {
		return invalid("title", "must not be only white space")
	}
	for _, r := range title {
		if unicode.IsControl(r) || isLayoutControl(r) {
			return invalid("title", "must not contain control characters")
		}
	}
	return nil
}

// isLayoutControl reports the format characters that change how text
// around them is laid out: the bidirectional embeddings, overrides and
// isolates (U+202A..U+202E, U+2066..U+2069), which let a title render
// differently from what it is ("Trojan Source" spoofing of another room's
// name), and the line and paragraph separators U+2028/U+2029, which break
// a one-line title. Other format characters stay allowed: the zero-width
// joiner is part of many emoji.
func isLayoutControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x2028 || r == 0x2029
}

// DirectKey is the direct-room index key of a pair: the SHA-256 of the
// sorted pair, so (a,b) and (b,a) meet and the uids do not appear in the
// document ID.
func DirectKey(a, b string) string {
	if b < a {
		a, b = b, a
	}
	sum := sha256.Sum256([]byte(a + "\x00" + b))
	return hex.EncodeToString(sum[:])
}

// clip shortens attacker-supplied text before it is echoed in an error.
func clip(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}
