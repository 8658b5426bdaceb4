package config

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEConfigTableIsCurrent keeps the README's configuration table in
// step with the settings: a new or changed setting must be documented.
func TestREADMEConfigTableIsCurrent(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	table := Markdown()
	if !strings.Contains(string(readme), table) {
		t.Errorf("README.md does not contain the current settings table; replace it with the output of config.Markdown():\n%s", table)
	}
}
