package moderation

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// Cursor is a listing position: the time and document ID of the last
// entry of the previous page.
type Cursor struct {
	Time time.Time
	ID   string
}

// EncodeCursor renders c opaque (base64url of "unixnanos.id").
func EncodeCursor(c Cursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.Time.UnixNano(), 10) + "." + c.ID))
}

// DecodeCursor parses a cursor of EncodeCursor, refusing anything else
// (ErrBadCursor).
func DecodeCursor(s string) (Cursor, error) {
	if len(s) > 256 {
		return Cursor{}, ErrBadCursor
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, ErrBadCursor
	}
	ts, id, ok := strings.Cut(string(raw), ".")
	n, err := strconv.ParseInt(ts, 10, 64)
	if !ok || err != nil || n < 0 || !validDocID(id) {
		return Cursor{}, ErrBadCursor
	}
	return Cursor{Time: time.Unix(0, n).UTC(), ID: id}, nil
}

// validDocID accepts the IDs this package lists: Firestore auto-IDs and
// hex digests.
func validDocID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
