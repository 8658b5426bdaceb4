package push

import (
	"firebase.google.com/go/v4/messaging"
)

// The generic notification text: it shows on lock screens, so it says
// nothing about the message, its sender or the room.
const (
	GenericTitle = "New message"
	GenericBody  = "You have a new message"
)

// previewRunes bounds the message text shown by a room that opted in.
const previewRunes = 100

// Preview is what a room that opted in (pushPreview: true) lets a push
// show. The zero value shows nothing.
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
		if p.Title != "" {
			n.Title = p.Title
		}
		if p.Text != "" {
			n.Body = truncate(p.Text, previewRunes)
		}
	}
	return &messaging.Message{
		Token:        token,
		Data:         map[string]string{"roomId": roomID, "messageId": messageID},
		Notification: n,
		Android:      &messaging.AndroidConfig{Priority: "high", CollapseKey: roomID},
	}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
