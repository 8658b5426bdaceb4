// Package roomid mints and checks room IDs.
//
// A room ID is the only thing standing between a stranger and a room's
// documents in the rules' eyes (membership is checked too, but the ID must
// not be guessable or enumerable either), so a room ID has
// at least 128 bits from crypto/rand, a fixed length and the alphabet
// [A-Za-z0-9] only. This package draws Length characters from a 62-symbol
// alphabet with rejection sampling, which keeps every symbol equally likely:
// 22 × log2(62) ≈ 130.99 bits. IDs are never derived from user IDs, time or a
// counter.
package roomid

import (
	"crypto/rand"
	"fmt"
	"io"
)

// Length is the fixed number of characters of a room ID.
const Length = 22

// Alphabet is the set of characters a room ID is drawn from. It has no '_'
// or '-' so an ID can never look like a reserved Firestore ID (__x__) and
// never needs URL escaping.
const Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// maxUnbiased is the largest multiple of len(Alphabet) that fits in a byte:
// bytes at or above it are rejected, so byte%62 is uniform (248 = 4 × 62).
const maxUnbiased = 256 - 256%len(Alphabet)

// New returns a fresh room ID read from crypto/rand. It panics only if the
// operating system's random source fails, which Go's crypto/rand never
// reports as an error on supported platforms.
func New() string {
	id, err := NewFrom(rand.Reader)
	if err != nil {
		panic(fmt.Sprintf("roomid: crypto/rand failed: %v", err))
	}
	return id
}

// NewFrom draws an ID from r using rejection sampling. It exists so tests
// can feed a deterministic source; production code calls New.
func NewFrom(r io.Reader) (string, error) {
	out := make([]byte, 0, Length)
	// Each byte is accepted with probability 248/256, so a buffer a little
	// larger than Length usually suffices in one read.
	buf := make([]byte, Length+8)
	for len(out) < Length {
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", fmt.Errorf("roomid: reading random bytes: %w", err)
		}
		for _, b := range buf {
			if int(b) >= maxUnbiased {
				continue
			}
			out = append(out, Alphabet[int(b)%len(Alphabet)])
			if len(out) == Length {
				break
			}
		}
	}
	return string(out), nil
}

// Valid reports whether s has the exact shape of a room ID: Length
// characters, each from Alphabet. Handlers call it before any Firestore call.
func Valid(s string) bool {
	if len(s) != Length {
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
