package push

import (
	"strings"
	"unicode"

	"firebase.google.com/go/v4/messaging"
)

// The generic notification text: it shows on lock screens, so it says
// nothing about the message, its sender or the room.
const (
	GenericTitle = "New message"
	GenericBody  = "You have a new message"
)

// PreviewRunes bounds the message text shown by a room that opted in: a
// longer text is cut to PreviewRunes-1 characters and "…".
const PreviewRunes = 100

// Preview is what a room that opted in (pushPreview: true) lets a push
// show. The zero value shows nothing.
//
// Exactly this, and nothing more, may appear in a preview:
//   - the notification title is the room's title (the generic title when
//     the room has none);
//   - the notification body is the message text as one line (control,
//     line-breaking and bidirectional-override characters become spaces,
//     runs of white space one space, ends trimmed), cut to PreviewRunes
//     characters (the generic body when nothing is left).
//
// The data stays {roomId, messageId}. The sender's uid, display name or
// e-mail address never appear, with or without a preview: the app shows
// them after fetching the message under the rules.
type Preview struct {
	Enabled bool
	Title   string // the room title
	Text    string // the message text
}

// buildMessage is the FCM message for one device: data {roomId,
// messageId}, and the generic text unless p is enabled.
func buildMessage(token, roomID, messageID string, p Preview) *messaging.Message {
	n := &messaging.Notification{Title: GenericTitle, Body: GenericBody}
	if p.Enabled {
		if t := oneLine(p.Title); t != "" {
			n.Title = t
		}
		if t := oneLine(p.Text); t != "" {
			n.Body = truncate(t, PreviewRunes)
		}
	}
	return &messaging.Message{
		Token:        token,
		Data:         map[string]string{"roomId": roomID, "messageId": messageID},
		Notification: n,
		Android:      &messaging.AndroidConfig{Priority: "high", CollapseKey: roomID},
	}
}

// oneLine makes s safe to show as one line of a notification: control
// characters, the line and paragraph separators and the bidirectional
// embeddings, overrides and isolates (which could make the text render as
// something it is not) become spaces; runs of white space become one
// space; the ends are trimmed.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 ||
			r == 0x2028 || r == 0x2029 || r == 0x200E || r == 0x200F || r == 0x061C || r == unicode.ReplacementChar {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// truncate cuts s to at most n runes, the last being "…" when it cut.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimRightFunc(string(r[:n-1]), unicode.IsSpace) + "…"
}
