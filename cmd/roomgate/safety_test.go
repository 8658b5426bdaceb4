package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestServeAndAdminRefuseEmulatorsForRealProjects: with an emulator
// variable set, both subcommands that build clients refuse a project ID
// that does not start with "demo-", wherever the ID comes from, before
// anything listens or touches a backend.
func TestServeAndAdminRefuseEmulatorsForRealProjects(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"serve, auth emulator, project from ROOMGATE_PROJECT_ID",
			map[string]string{"FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:1", "ROOMGATE_PROJECT_ID": "my-prod"}, []string{"serve"}},
		{"serve, firestore emulator, project from GOOGLE_CLOUD_PROJECT",
			map[string]string{"FIRESTORE_EMULATOR_HOST": "127.0.0.1:1", "GOOGLE_CLOUD_PROJECT": "my-prod"}, []string{"serve"}},
		{"serve, project from GCLOUD_PROJECT",
			map[string]string{"FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:1", "GCLOUD_PROJECT": "my-prod"}, []string{"serve"}},
		{"serve, a flag overriding a demo- variable",
			map[string]string{"FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:1", "ROOMGATE_PROJECT_ID": "demo-x"}, []string{"serve", "-project-id", "my-prod"}},
		{"serve, a white-space emulator host still counts as set",
			map[string]string{"FIREBASE_AUTH_EMULATOR_HOST": " ", "ROOMGATE_PROJECT_ID": "my-prod"}, []string{"serve"}},
		{"admin grant-role, auth emulator",
			map[string]string{"FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:1"}, []string{"admin", "grant-role", "--uid", "u1", "--role", "admin", "-project-id", "my-prod"}},
		{"admin grant-role, project from GOOGLE_CLOUD_PROJECT",
			map[string]string{"FIRESTORE_EMULATOR_HOST": "127.0.0.1:1", "GOOGLE_CLOUD_PROJECT": "my-prod"}, []string{"admin", "grant-role", "--uid=u1", "--role=admin"}},
	}
	vars := []string{"FIREBASE_AUTH_EMULATOR_HOST", "FIRESTORE_EMULATOR_HOST", "ROOMGATE_PROJECT_ID", "GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT", "ROOMGATE_ADDR", "PORT"}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, v := range vars {
				t.Setenv(v, c.env[v])
			}
			var stdout, stderr bytes.Buffer
			if code := run(c.args, &stdout, &stderr); code != 1 {
				t.Fatalf("exit %d, want 1; stderr %s", code, stderr.String())
			}
			if !strings.Contains(stderr.String(), `does not start with "demo-"`) {
				t.Fatalf("not the emulator refusal: %s", stderr.String())
			}
		})
	}
}
