package moderation

import (
	"strings"
	"testing"
	"time"
)

func TestCursorRoundTrip(t *testing.T) {
	c := Cursor{Time: time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC), ID: "abcDEF123"}
	got, err := DecodeCursor(EncodeCursor(c))
	if err != nil || !got.Time.Equal(c.Time) || got.ID != c.ID {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	for _, bad := range []string{"!", "bm9kb3Q", "MTIzLg", "LTEuYWJj", "MTIzLmEvYg", strings.Repeat("A", 300)} {
		if _, err := DecodeCursor(bad); err != ErrBadCursor {
			t.Errorf("DecodeCursor(%q) = %v", bad, err)
		}
	}
}

func TestValidateReport(t *testing.T) {
	ok := Report{Reason: "spam", MessageID: "m1AbC_-x", Note: "line one\nline two"}
	if err := ValidateReport(ok); err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]Report{
		"unknown reason":       {Reason: "boring", MessageID: "m1"},
		"no reason":            {MessageID: "m1"},
		"no message":           {Reason: "spam"},
		"slash in message ID":  {Reason: "spam", MessageID: "a/b"},
		"reserved message ID":  {Reason: "spam", MessageID: "__x__"},
		"long note":            {Reason: "spam", MessageID: "m1", Note: strings.Repeat("x", MaxNoteRunes+1)},
		"bidi override note":   {Reason: "spam", MessageID: "m1", Note: "a\u202Eb"},
		"control char in note": {Reason: "spam", MessageID: "m1", Note: "a\x00b"},
	} {
		if ValidateReport(r) == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if checkPair("alice", "alice") == nil || checkPair("alice", "a/b") == nil || checkPair("alice", "bob") != nil {
		t.Fatal("checkPair")
	}
}
