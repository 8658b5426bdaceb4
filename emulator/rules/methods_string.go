package rules

// This file implements the string and bytes methods.
//
// String decisions (section 10 Q4, [inf], following HD's measurements of
// the Java-based engine):
//   - size(), s[i] and s[i:j] count UTF-16 code units, so a character
//     outside the Basic Multilingual Plane (an emoji) counts 2. This is
//     also the stricter reading of size limits (size() is never smaller
//     than the number of code points). Slicing through a surrogate pair
//     yields U+FFFD for the broken half.
//   - lower() and upper() change ASCII letters only.
//   - replace() expands group references in the replacement as RE2/J's
//     Matcher.appendReplacement does (Google's emulator): $n and ${name}
//     insert a group, \x inserts x, a lone $ or a trailing \ is literal,
//     and a missing group is an error.
//   - split() drops trailing empty strings, as Java's String.split does.

import (
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

func stringMethod(s stringV, name string, args []Value) Value {
	str := string(s)
	switch name {
	case "size":
		if len(args) != 0 {
			return errArgs("string.size", args, "string.size()")
		}
		return intV(utf16Len(str))
	case "lower", "upper", "trim", "toUtf8":
		if len(args) != 0 {
			return errArgs("string."+name, args, "string."+name+"()")
		}
		switch name {
		case "lower":
			return stringV(asciiMap(str, 'A', 'Z', 'a'-'A'))
		case "upper":
			return stringV(asciiMap(str, 'a', 'z', 'A'-'a'))
		case "trim":
			// Java's trim(): every char <= U+0020 at either end.
			return stringV(strings.TrimFunc(str, func(r rune) bool { return r <= ' ' }))
		}
		return bytesV(str)
	case "matches":
		re, err := regexArg(name, args, 1, true)
		if err != nil {
			return err
		}
		return boolOf(re.MatchString(str))
	case "replace":
		re, err := regexArg(name, args, 2, false)
		if err != nil {
			return err
		}
		out, err := replaceRE2J(re, str, string(args[1].(stringV)))
		if err != nil {
			return err
		}
		return stringV(out)
	case "split":
		re, err := regexArg(name, args, 1, false)
		if err != nil {
			return err
		}
		return splitJava(re, str)
	}
	return errFuncNotFound(name)
}

// replaceRE2J replaces every match of re in s by repl, expanding group
// references as RE2/J's Matcher.appendReplacement does.
func replaceRE2J(re *regexp.Regexp, s, repl string) (string, Value) {
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(s[last:m[0]])
		if err := expandRE2J(&b, re, s, m, repl); err != nil {
			return "", err
		}
		last = m[1]
		if b.Len() > maxValueBytes {
			return "", errTooLarge()
		}
	}
	b.WriteString(s[last:])
	if b.Len() > maxValueBytes {
		return "", errTooLarge()
	}
	return b.String(), nil
}

// expandRE2J appends repl for one match m of re in s: RE2/J's rules, in
// which '\\' escapes the next character, "$n" takes as many digits as
// name an existing group (at least one), "${name}" a named group, and any
// other '$' (or a '\\' at the very end) is literal.
func expandRE2J(b *strings.Builder, re *regexp.Regexp, s string, m []int, repl string) Value {
	groups := re.NumSubexp()
	group := func(n int) {
		if lo, hi := m[2*n], m[2*n+1]; lo >= 0 {
			b.WriteString(s[lo:hi])
		}
	}
	last, n := 0, len(repl)
	for i := 0; i < n-1; i++ {
		switch c := repl[i]; {
		case c == '\\':
			b.WriteString(repl[last:i])
			i++
			last = i
		case c == '$' && repl[i+1] >= '0' && repl[i+1] <= '9':
			b.WriteString(repl[last:i])
			g := int(repl[i+1] - '0')
			j := i + 2
			for ; j < n; j++ {
				d := repl[j]
				if d < '0' || d > '9' || g*10+int(d-'0') > groups {
					break
				}
				g = g*10 + int(d-'0')
			}
			if g > groups {
				return errorf("Invalid replacement: group $%d does not exist.", g)
			}
			group(g)
			last = j
			i = j - 1
		case c == '$' && repl[i+1] == '{':
			b.WriteString(repl[last:i])
			end := strings.IndexAny(repl[i+2:], "} ")
			if end < 0 || repl[i+2+end] != '}' {
				return errorf("Invalid replacement: named group reference is missing its '}'.")
			}
			name := repl[i+2 : i+2+end]
			g := re.SubexpIndex(name)
			if g < 0 {
				return errorf("Invalid replacement: group %q does not exist.", name)
			}
			group(g)
			last = i + 2 + end + 1
			i = last - 1
		}
	}
	b.WriteString(repl[last:])
	return nil
}

// regexArg checks that args holds n strings and compiles the first as RE2
// (anchored to the whole string for matches()).
func regexArg(name string, args []Value, n int, anchored bool) (*regexp.Regexp, Value) {
	expected := "string." + name + "(string)"
	if n == 2 {
		expected = "string." + name + "(string, string)"
	}
	if len(args) != n {
		return nil, errArgs("string."+name, args, expected)
	}
	for _, a := range args {
		if _, ok := a.(stringV); !ok {
			return nil, errArgs("string."+name, args, expected)
		}
	}
	pat := string(args[0].(stringV))
	if anchored {
		pat = `^(?:` + pat + `)$`
	}
	re, err := compileRegex(pat)
	if err != nil {
		return nil, errorf("Invalid regular expression %q: %v.", string(args[0].(stringV)), err)
	}
	return re, nil
}

// regexCache keeps compiled patterns; rules use a handful of constant
// patterns, so it stops growing at maxCachedRegexes rather than evicting.
var (
	regexCache   sync.Map // string -> *regexp.Regexp
	regexCount   int
	regexCountMu sync.Mutex
)

const maxCachedRegexes = 512

func compileRegex(pat string) (*regexp.Regexp, error) {
	if re, ok := regexCache.Load(pat); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return nil, err
	}
	regexCountMu.Lock()
	if regexCount < maxCachedRegexes {
		regexCount++
		regexCache.Store(pat, re)
	}
	regexCountMu.Unlock()
	return re, nil
}

// splitJava splits s around the matches of re as RE2/J's Pattern.split
// does (Google's emulator): every match cuts, a zero-width match at the
// start included ('abc'.split(”) is [”, 'a', 'b', 'c']), leading empty
// pieces are kept and trailing ones dropped, but never the first piece
// (','.split(',') and ”.split(”) are [”]).
func splitJava(re *regexp.Regexp, s string) Value {
	matches := re.FindAllStringIndex(s, -1)
	if len(matches) == 0 {
		return listV{stringV(s)} // no match: the input itself, even if empty
	}
	parts := make([]string, 0, len(matches)+1)
	last := 0
	for _, m := range matches {
		parts = append(parts, s[last:m[0]])
		last = m[1]
	}
	parts = append(parts, s[last:])
	for len(parts) > 1 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > maxListLen {
		return errTooLarge()
	}
	l := make(listV, len(parts))
	for i, p := range parts {
		l[i] = stringV(p)
	}
	return l
}

// asciiMap shifts the ASCII letters in [lo, hi] by delta.
func asciiMap(s string, lo, hi byte, delta int) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= lo && c <= hi {
			if b == nil {
				b = []byte(s)
			}
			b[i] = byte(int(c) + delta)
		}
	}
	if b == nil {
		return s
	}
	return string(b)
}

// utf16Len is the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// utf16Slice returns the UTF-16 units [lo, hi) of s as a string; bounds
// outside the string are an error.
func utf16Slice(s string, lo, hi int64) Value {
	if isASCII(s) {
		if lo < 0 || hi > int64(len(s)) || lo > hi {
			return errIndex()
		}
		return stringV(s[lo:hi])
	}
	units := utf16.Encode([]rune(s))
	if lo < 0 || hi > int64(len(units)) || lo > hi {
		return errIndex()
	}
	return stringV(string(utf16.Decode(units[lo:hi])))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func bytesMethod(b bytesV, name string, args []Value) Value {
	switch name {
	case "size", "toBase64", "toHexString":
	default:
		return errFuncNotFound(name)
	}
	if len(args) != 0 {
		return errArgs("bytes."+name, args, "bytes."+name+"()")
	}
	switch name {
	case "size":
		return intV(len(b))
	case "toBase64":
		// The URL-safe alphabet with padding [R.Bytes][obs PY bytes].
		return stringV(base64.URLEncoding.EncodeToString([]byte(b)))
	}
	return stringV(strings.ToUpper(hex.EncodeToString([]byte(b))))
}
