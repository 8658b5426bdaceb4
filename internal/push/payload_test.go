package push

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestBuildMessageWithoutPreviewIsGeneric(t *testing.T) {
	for _, p := range []Preview{{}, {Title: "Secret room", Text: "secret text"}} {
		m := buildMessage("tok", "room", "msg", p)
		if m.Notification.Title != GenericTitle || m.Notification.Body != GenericBody {
			t.Errorf("%+v: notification %+v", p, m.Notification)
		}
		if len(m.Data) != 2 || m.Data["roomId"] != "room" || m.Data["messageId"] != "msg" {
			t.Errorf("%+v: data %v", p, m.Data)
		}
	}
}

func TestBuildMessagePreview(t *testing.T) {
	long := strings.Repeat("é", PreviewRunes+20)
	cases := []struct {
		name                string
		p                   Preview
		wantTitle, wantBody string
	}{
		{"title and text", Preview{Enabled: true, Title: "Team", Text: "hello"}, "Team", "hello"},
		{"no title", Preview{Enabled: true, Text: "hello"}, GenericTitle, "hello"},
		{"blank text", Preview{Enabled: true, Title: "Team", Text: " \n\t "}, "Team", GenericBody},
		{"newlines become one line", Preview{Enabled: true, Title: "Team", Text: "line one\r\n\r\nline two\u2028three"}, "Team", "line one line two three"},
		{"bidi overrides are removed", Preview{Enabled: true, Title: "Team", Text: "pay \u202Egnp.exe\u202C now"}, "Team", "pay gnp.exe now"},
		{"long text is cut", Preview{Enabled: true, Title: "Team", Text: long}, "Team", strings.Repeat("é", PreviewRunes-1) + "…"},
		{"exactly the limit is kept", Preview{Enabled: true, Title: "Team", Text: long[:2*PreviewRunes]}, "Team", long[:2*PreviewRunes]},
	}
	for _, c := range cases {
		m := buildMessage("tok", "room", "msg", c.p)
		if m.Notification.Title != c.wantTitle || m.Notification.Body != c.wantBody {
			t.Errorf("%s: notification %q / %q, want %q / %q", c.name, m.Notification.Title, m.Notification.Body, c.wantTitle, c.wantBody)
		}
		if n := utf8.RuneCountInString(m.Notification.Body); n > PreviewRunes {
			t.Errorf("%s: body of %d runes", c.name, n)
		}
		if len(m.Data) != 2 {
			t.Errorf("%s: data %v", c.name, m.Data)
		}
	}
}
