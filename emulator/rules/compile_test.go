package rules

import (
	"errors"
	"strings"
	"testing"

	"github.com/roomgate/roomgate/emulator/rules/parser"
)

func TestCompileErrors(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string // "line:col: substring"
	}{
		{"syntax", "service cloud.firestore { match /a { allow read: if ; } }", []string{"1:"}},
		{"two cycles", `service cloud.firestore {
  function a() { return a(); }
  match /databases/{database}/documents {
    function b() { return c(); }
    function c() { return b(); }
  }
}`, []string{"2:3: recursive function call: a -> a", "4:5: recursive function call: b -> c -> b"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs, err := Compile("x.rules", []byte(c.src))
			if err == nil {
				t.Fatalf("compiled: %+v", rs)
			}
			var list parser.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error is %T, want parser.ErrorList", err)
			}
			for _, w := range c.want {
				pos, text, _ := strings.Cut(w, ": ")
				found := false
				for _, e := range list {
					if strings.HasPrefix(e.Pos.String()+":", pos) && strings.Contains(e.Msg, text) {
						found = true
					}
				}
				if !found {
					t.Errorf("no error %q in:\n%v", w, err)
				}
			}
			if !strings.Contains(err.Error(), "x.rules:") {
				t.Errorf("error does not name the file: %v", err)
			}
		})
	}
}

func TestCompileNoVersionIsV1(t *testing.T) {
	rs, err := Compile("x.rules", []byte("service cloud.firestore { match /databases/{database}/documents { } }"))
	if err != nil {
		t.Fatal(err)
	}
	if rs.Version() != 1 {
		t.Errorf("Version() = %d, want 1", rs.Version())
	}
	d := rs.Decide(&Request{Method: MethodGet, Path: "/databases/(default)/documents/a/b"})
	if d.Allowed {
		t.Errorf("empty ruleset allowed: %+v", d)
	}
}
