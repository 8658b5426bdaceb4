package profiles

import (
	"strings"
	"testing"
)

func TestValidateDisplayName(t *testing.T) {
	good := []string{"Alice", "Zoë", "李小龍", "Ana María", "👩‍💻 dev", "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F", "می‌خواهم", "x", strings.Repeat("ß", MaxDisplayNameRunes), "a\u3000b"}
	bad := map[string]string{
		"empty":                   "",
		"too long":                strings.Repeat("ß", MaxDisplayNameRunes+1),
		"only spaces":             "   ",
		"leading space":           " Alice",
		"trailing space":          "Alice ",
		"right-to-left override":  "Alice\u202Egnp.exe",
		"left-to-right isolate":   "\u2066Bob\u2069",
		"right-to-left mark":      "Bob\u200F",
		"arabic letter mark":      "Bob\u061C",
		"zero-width space only":   "\u200B",
		"zero-width space inside": "Al\u200Bice",
		"BOM":                     "\uFEFFAlice",
		"soft hyphen":             "Al\u00ADice",
		"hangul filler only":      "\u3164",
		"braille blank only":      "\u2800\u2800",
		"combining mark only":     "\u0301",
		"zero-width joiner only":  "\u200D",
		"control character":       "Ali\x07ce",
		"newline":                 "Ali\nce",
		"line separator":          "Ali\u2028ce",
		"private use":             "Ali\uE000ce",
		"noncharacter":            "Ali\uFDD0ce",
		"invalid UTF-8":           "Ali\xffce",
	}
	for _, n := range good {
		if err := ValidateDisplayName(n); err != nil {
			t.Errorf("ValidateDisplayName(%q) = %v", n, err)
		}
	}
	for what, n := range bad {
		if err := ValidateDisplayName(n); err == nil {
			t.Errorf("%s: ValidateDisplayName(%q) accepted", what, n)
		}
	}
}

func TestValidateAvatarURL(t *testing.T) {
	for _, u := range []string{"", "https://example.com/a.png", "https://cdn.example.com:8443/p/a%20b.png?s=64"} {
		if err := ValidateAvatarURL(u); err != nil {
			t.Errorf("ValidateAvatarURL(%q) = %v", u, err)
		}
	}
	for _, u := range []string{"http://example.com/a.png", "javascript:alert(1)", "data:image/png;base64,AAAA", "https://", "https:///a.png",
		"https://user:pw@example.com/a.png", "https://example.com/a b.png", "https://exämple.com/", "//example.com/a.png", "https://example.com/" + strings.Repeat("a", MaxAvatarURLBytes)} {
		if err := ValidateAvatarURL(u); err == nil {
			t.Errorf("ValidateAvatarURL(%q) accepted", u)
		}
	}
}

func TestNormaliseEmail(t *testing.T) {
	n, err := NormaliseEmail("Alice@Example.COM")
	if err != nil || n != "alice@example.com" {
		t.Fatalf("NormaliseEmail = %q, %v", n, err)
	}
	if LookupKey(n) == LookupKey("bob@example.com") || len(LookupKey(n)) != 64 {
		t.Fatal("lookup keys")
	}
	for _, e := range []string{"", "alice", "@example.com", "alice@", "a@b@c", "alice @example.com", "alice@example.com\n", "al\u200Bice@example.com", strings.Repeat("a", 250) + "@b.cd"} {
		if _, err := NormaliseEmail(e); err == nil {
			t.Errorf("NormaliseEmail(%q) accepted", e)
		}
	}
}
