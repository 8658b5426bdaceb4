package devstack

// curl_test.go reads the curl command lines the local stack prints, as sh
// and curl would, so the tests can run them through net/http.

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// shellWords splits a command line the way sh does for the subset dev
// prints: words separated by spaces, '...' literal, "..." and bare words
// with $VAR expanded from env. An unknown variable fails the test: the
// printed commands must only use variables the output exports.
func shellWords(t *testing.T, line string, env map[string]string) []string {
	t.Helper()
	var words []string
	var cur strings.Builder
	inWord := false
	expand := func(s string, i int) int { // s[i] == '$'; returns the index after the name
		j := i + 1
		for j < len(s) && (s[j] == '_' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= '0' && s[j] <= '9') {
			j++
		}
		name := s[i+1 : j]
		v, ok := env[name]
		if !ok {
			t.Fatalf("command uses $%s, which the output does not export: %s", name, line)
		}
		cur.WriteString(v)
		return j
	}
	for i := 0; i < len(line); {
		c := line[i]
		switch {
		case c == ' ':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
			i++
		case c == '\'':
			end := strings.IndexByte(line[i+1:], '\'')
			if end < 0 {
				t.Fatalf("unterminated ' in %s", line)
			}
			cur.WriteString(line[i+1 : i+1+end])
			inWord, i = true, i+end+2
		case c == '"':
			i++
			for i < len(line) && line[i] != '"' {
				if line[i] == '$' {
					i = expand(line, i)
					continue
				}
				if line[i] == '\\' {
					t.Fatalf("backslash escapes are not expected in %s", line)
				}
				cur.WriteByte(line[i])
				i++
			}
			if i >= len(line) {
				t.Fatalf("unterminated \" in %s", line)
			}
			inWord, i = true, i+1
		case c == '$':
			i = expand(line, i)
			inWord = true
		default:
			cur.WriteByte(c)
			inWord, i = true, i+1
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// curlRequest turns a curl command line into an *http.Request. It knows
// exactly the options dev prints and fails on any other.
func curlRequest(t *testing.T, line string, env map[string]string) *http.Request {
	t.Helper()
	words := shellWords(t, line, env)
	if words[0] != "curl" {
		t.Fatalf("not a curl command: %s", line)
	}
	method, url, body := "", "", ""
	hdr := http.Header{}
	for i := 1; i < len(words); i++ {
		w := words[i]
		arg := func() string {
			if i+1 >= len(words) {
				t.Fatalf("%s needs a value: %s", w, line)
			}
			i++
			return words[i]
		}
		switch {
		case w == "-sS":
		case w == "-X":
			method = arg()
		case w == "-H":
			k, v, ok := strings.Cut(arg(), ":")
			if !ok {
				t.Fatalf("malformed header in %s", line)
			}
			hdr.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		case w == "-d":
			body = arg()
		case strings.HasPrefix(w, "-"):
			t.Fatalf("unexpected curl option %s in %s", w, line)
		default:
			if url != "" {
				t.Fatalf("two URLs in %s", line)
			}
			url = w
		}
	}
	if method == "" {
		method = http.MethodGet
		if body != "" {
			method = http.MethodPost // what curl -d does
		}
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	req.Header = hdr
	return req
}
