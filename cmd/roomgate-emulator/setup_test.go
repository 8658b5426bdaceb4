package main

import (
	"strings"
	"testing"
)

func TestJoinExportDir(t *testing.T) {
	if got := strings.Join(joinExportDir(strings.Fields("--quiet --export-on-exit d"), false), " "); got != "--quiet --export-on-exit=d" {
		t.Errorf("start: got %q", got)
	}
	cases := []struct{ in, want string }{ // exec
		{"--export-on-exit d --quiet", "--export-on-exit d --quiet"},
		{"--export-on-exit --quiet", "--export-on-exit --quiet"},
		{"--export-on-exit -- npm test", "--export-on-exit -- npm test"},
		{"--export-on-exit npm test", "--export-on-exit npm test"}, // no "--": npm is the command
		{"--import d --export-on-exit out -- x", "--import d --export-on-exit=out -- x"},
	}
	for _, c := range cases {
		if got := strings.Join(joinExportDir(strings.Fields(c.in), true), " "); got != c.want {
			t.Errorf("joinExportDir(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
