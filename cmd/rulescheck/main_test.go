package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, name, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunValidFiles(t *testing.T) {
	good := writeFile(t, "good.rules", "rules_version = '2';\nservice cloud.firestore {\n  match /databases/{database}/documents {\n    match /a/{b} {\n      allow read: if true;\n      allow write;\n    }\n  }\n}\n")
	v1 := writeFile(t, "v1.rules", "service cloud.firestore { match /x { allow read; } }")
	var stdout, stderr bytes.Buffer
	if code := run([]string{good, v1}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	want := good + ": ok (rules_version 2, 2 allow statements)\n" + v1 + ": ok (rules_version 1, 1 allow statements)\n"
	if stdout.String() != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout.String(), want)
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr not empty: %s", stderr.String())
	}
}

func TestRunReportsErrorsWithCarets(t *testing.T) {
	bad := writeFile(t, "bad.rules", "service cloud.firestore {\n  match /a {\n    allow read: if a +;\n  }\n}\n")
	good := writeFile(t, "good.rules", "service cloud.firestore {}")
	var stdout, stderr bytes.Buffer
	if code := run([]string{bad, good}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	want := bad + ":3:23: expected expression, found ';'\n    allow read: if a +;\n                      ^\n"
	if stderr.String() != want {
		t.Errorf("stderr:\n%q\nwant:\n%q", stderr.String(), want)
	}
	// The other file is still checked.
	if !strings.Contains(stdout.String(), good+": ok") {
		t.Errorf("stdout %q lacks the good file", stdout.String())
	}
}

func TestRunMissingFileAndUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{filepath.Join(t.TempDir(), "nope.rules")}, &stdout, &stderr); code != 1 {
		t.Errorf("missing file: exit %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "nope.rules") {
		t.Errorf("stderr %q does not name the file", stderr.String())
	}
	stderr.Reset()
	if code := run(nil, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "usage") {
		t.Errorf("no args: exit %d, stderr %q", code, stderr.String())
	}
}

func TestRunRepoRules(t *testing.T) {
	// The shipped rules must always pass the checker.
	var stdout, stderr bytes.Buffer
	if code := run([]string{"../../firestore.rules"}, &stdout, &stderr); code != 0 {
		t.Errorf("firestore.rules: exit %d\n%s", code, stderr.String())
	}
}
