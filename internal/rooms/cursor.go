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
	raw := "v1." + strconv.FormatInt(c.JoinedAt.UnixMicro(), 10) + "." + c.RoomID
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// DecodeCursor parses a cursor made by EncodeCursor, or returns ErrBadCursor.
func DecodeCursor(s string) (Cursor, error) {
	if len(s) == 0 || len(s) > maxCursorLen {
		return Cursor{}, ErrBadCursor
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, ErrBadCursor
	}
	parts := strings.Split(string(raw), ".")
	if len(parts) != 3 || parts[0] != "v1" || !roomid.Valid(parts[2]) {
		return Cursor{}, ErrBadCursor
	}
	us, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || us < 0 || us > maxCursorMicros || parts[1] != strconv.FormatInt(us, 10) {
		return Cursor{}, ErrBadCursor
	}
	return Cursor{JoinedAt: time.UnixMicro(us).UTC(), RoomID: parts[2]}, nil
}
