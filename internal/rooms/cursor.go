package rooms

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/roomgate/roomgate/internal/roomid"
)

// Cursor is a position in a user's room index: the last entry of a page.
// On the wire it is opaque (base64url of "v1.<unix micros>.<roomId>"); it
// only positions a query inside the caller's own index, so it needs no
// signature, but it is fully validated before use.
type Cursor struct {
	JoinedAt time.Time
	RoomID   string
}

// maxCursorLen bounds what DecodeCursor will look at.
const maxCursorLen = 128

// maxCursorMicros is 9999-12-31T23:59:59.999999Z, Firestore's largest
// timestamp. A forged cursor past it would reach Firestore as an invalid
// argument and come back as a 500 instead of the 400 it deserves.
const maxCursorMicros = 253402300799999999

// EncodeCursor renders c.
func EncodeCursor(c Cursor) string {
	return encodePosition("v1", c.JoinedAt, c.RoomID)
}

// DecodeCursor parses a cursor made by EncodeCursor, or returns ErrBadCursor.
func DecodeCursor(s string) (Cursor, error) {
	t, id, err := decodePosition("v1", s)
	if err != nil {
		return Cursor{}, err
	}
	return Cursor{JoinedAt: t, RoomID: id}, nil
}

// encodePosition renders a listing position: base64url of
// "<version>.<unix micros>.<ID>". The version tells the listings apart, so
// one listing's cursor is refused by another.
func encodePosition(version string, t time.Time, id string) string {
	raw := version + "." + strconv.FormatInt(t.UnixMicro(), 10) + "." + id
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// decodePosition parses a position made by encodePosition with version,
// or returns ErrBadCursor. The ID must be a roomid (room and invite IDs
// both are) and the time a canonical, non-negative count of microseconds
// no later than Firestore's last timestamp.
func decodePosition(version, s string) (time.Time, string, error) {
	if len(s) == 0 || len(s) > maxCursorLen {
		return time.Time{}, "", ErrBadCursor
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return time.Time{}, "", ErrBadCursor
	}
	parts := strings.Split(string(raw), ".")
	if len(parts) != 3 || parts[0] != version || !roomid.Valid(parts[2]) {
		return time.Time{}, "", ErrBadCursor
	}
	us, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || us < 0 || us > maxCursorMicros || parts[1] != strconv.FormatInt(us, 10) {
		return time.Time{}, "", ErrBadCursor
	}
	return time.UnixMicro(us).UTC(), parts[2], nil
}
