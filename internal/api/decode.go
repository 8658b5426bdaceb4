package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// maxJSONDepth bounds nesting in request bodies; our bodies are 2 deep.
const maxJSONDepth = 16

// readBody reads at most limit bytes of the request body: more is 413.
// A JSON body needs Content-Type application/json (415 otherwise).
func readBody(c echo.Context, limit int64) ([]byte, error) {
	r := c.Request()
	if r.ContentLength > limit {
		return nil, problem(CodeBodyTooLarge, fmt.Sprintf("at most %d bytes", limit))
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), r.Body, limit))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, problem(CodeBodyTooLarge, fmt.Sprintf("at most %d bytes", limit))
	}
	if err != nil {
		return nil, problem(CodeInvalidRequest, "could not read the request body")
	}
	if len(body) > 0 {
		mt, _, err := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
		if err != nil || mt != echo.MIMEApplicationJSON {
			return nil, problem(CodeUnsupportedMedia, "send Content-Type: application/json")
		}
	}
	return body, nil
}

// decodeBody reads the request body (readBody) and decodes it into v
// (decodeStrict). Handlers that also need the raw bytes (createRoom hashes
// them for idempotency) call the two steps themselves.
func decodeBody(c echo.Context, limit int64, v any, allowEmpty bool) error {
	body, err := readBody(c, limit)
	if err != nil {
		return err
	}
	return decodeStrict(body, v, allowEmpty)
}

// decodeStrict decodes one JSON object from body into v, rejecting what a
// lenient decoder would let through and a second parser might read
// differently: anything but an object at the top, unknown fields,
// duplicate keys (compared case-insensitively, as encoding/json matches
// them), explicit nulls, wrong types, trailing data, and nesting
// beyond maxJSONDepth. allowEmpty accepts an empty body as {}.
func decodeStrict(body []byte, v any, allowEmpty bool) error {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		if allowEmpty {
			return nil
		}
		return problem(CodeInvalidRequest, "a JSON object body is required")
	}
	if trimmed[0] != '{' {
		return problem(CodeInvalidRequest, "the body must be a JSON object")
	}
	// encoding/json silently turns invalid UTF-8 and unpaired surrogate
	// escapes into U+FFFD, so the strings we would store are not the ones
	// the client sent (and another parser may read them differently).
	if !utf8.Valid(body) {
		return problem(CodeInvalidRequest, "the body is not valid UTF-8")
	}
	if err := checkStructure(body, jsonFieldNames(v)); err != nil {
		return err
	}
	if hasLoneSurrogate(body) {
		return problem(CodeInvalidRequest, "the body has an unpaired UTF-16 surrogate escape")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeProblem(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return problem(CodeInvalidRequest, "unexpected data after the JSON object")
	}
	return nil
}

func decodeProblem(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return problem(CodeInvalidRequest, fmt.Sprintf("malformed JSON at byte %d", se.Offset))
	case errors.As(err, &te):
		p := problem(CodeInvalidField, fmt.Sprintf("wrong type: expected %s", te.Type))
		p.Field = te.Field
		return p
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return problem(CodeInvalidRequest, "truncated JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		p := problem(CodeInvalidField, "unknown field")
		p.Field = clipField(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`))
		return p
	}
	return problem(CodeInvalidRequest, "malformed JSON")
}

// checkStructure walks the tokens once: top-level keys not exactly in
// fields (when fields is not nil), duplicate keys (also keys that differ
// only in case), nulls and depth.
func checkStructure(body []byte, fields map[string]bool) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []*jsonFrame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return decodeProblem(err)
		}
		var top *jsonFrame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.expect {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				markValue(stack)
				continue
			}
			key, _ := tok.(string)
			if len(stack) == 1 && fields != nil && !fields[key] {
				// encoding/json would match "MEMBERS" (or "memberſ", by
				// Unicode folding) to the members field; we take the
				// exact names only.
				p := problem(CodeInvalidField, "unknown field (names are case-sensitive)")
				p.Field = clipField(key)
				return p
			}
			// Compared folded the way encoding/json folds, so keys that
			// differ only in case cannot both reach one field.
			folded := string(foldKey(key))
			if top.keys[folded] {
				p := problem(CodeInvalidField, "duplicate key")
				p.Field = clipField(key)
				return p
			}
			top.keys[folded] = true
			top.expect = false
			continue
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if len(stack) >= maxJSONDepth {
					return problem(CodeInvalidRequest, "JSON nested too deeply")
				}
				stack = append(stack, &jsonFrame{object: t == '{', keys: map[string]bool{}, expect: t == '{'})
			case '}', ']':
				stack = stack[:len(stack)-1]
				markValue(stack)
			}
		case nil:
			return problem(CodeInvalidRequest, "null values are not accepted; omit the field instead")
		default:
			markValue(stack)
		}
	}
}

// jsonFieldNames is the set of exact JSON names of the struct v points to,
// or nil when v is not a pointer to a struct.
func jsonFieldNames(v any) map[string]bool {
	t := reflect.TypeOf(v)
	if t == nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return nil
	}
	t = t.Elem()
	names := make(map[string]bool, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		names[name] = true
	}
	return names
}

// foldKey folds a key the way encoding/json matches names to fields
// (bytes.EqualFold: ASCII upper case, and each other rune to the smallest
// rune of its Unicode fold set).
func foldKey(key string) []byte {
	out := make([]byte, 0, len(key))
	for _, r := range key {
		if r < utf8.RuneSelf {
			if 'a' <= r && r <= 'z' {
				r -= 'a' - 'A'
			}
			out = append(out, byte(r))
			continue
		}
		for {
			r2 := unicode.SimpleFold(r)
			if r2 <= r {
				r = r2
				break
			}
			r = r2
		}
		out = utf8.AppendRune(out, r)
	}
	return out
}

// markValue records that a value was read in the enclosing object, so the
// next token there is a key again.
func markValue(stack []*jsonFrame) {
	if len(stack) > 0 && stack[len(stack)-1].object {
		stack[len(stack)-1].expect = true
	}
}

// jsonFrame is one open object or array in checkStructure.
type jsonFrame struct {
	object bool
	keys   map[string]bool
	expect bool // in an object: the next token is a key
}

func clipField(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	return strings.ToValidUTF8(s, "?")
}

// jsonMarshal encodes v without HTML escaping (bodies are JSON, not HTML).
func jsonMarshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// hasLoneSurrogate reports whether a syntactically valid JSON text has a
// \uD800-\uDFFF escape that is not a high surrogate directly followed by
// a low one.
func hasLoneSurrogate(body []byte) bool {
	inString := false
	for i := 0; i < len(body); i++ {
		switch c := body[i]; {
		case !inString:
			inString = c == '"'
		case c == '"':
			inString = false
		case c == '\\':
			i++
			if i >= len(body) || body[i] != 'u' {
				continue
			}
			r, ok := hex4(body, i+1)
			if !ok {
				return true
			}
			i += 4
			switch {
			case r >= 0xDC00 && r <= 0xDFFF:
				return true
			case r >= 0xD800 && r <= 0xDBFF:
				if i+2 >= len(body) || body[i+1] != '\\' || body[i+2] != 'u' {
					return true
				}
				lo, ok := hex4(body, i+3)
				if !ok || lo < 0xDC00 || lo > 0xDFFF {
					return true
				}
				i += 6
			}
		}
	}
	return false
}

// hex4 parses the four hex digits at body[i:i+4].
func hex4(body []byte, i int) (rune, bool) {
	if i+4 > len(body) {
		return 0, false
	}
	var r rune
	for _, c := range body[i : i+4] {
		r <<= 4
		switch {
		case '0' <= c && c <= '9':
			r |= rune(c - '0')
		case 'a' <= c && c <= 'f':
			r |= rune(c - 'a' + 10)
		case 'A' <= c && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}
