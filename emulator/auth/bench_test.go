package auth_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// BenchmarkSignUp measures an anonymous accounts:signUp over loopback HTTP,
// the JS SDK's signInAnonymously: routing, user creation and minting an ID
// and a refresh token.
func BenchmarkSignUp(b *testing.B) {
	srv := startEmulator(b)
	srv.SetLogger(nil)
	url := "http://" + srv.Addr() + "/identitytoolkit.googleapis.com/v1/accounts:signUp?key=fake"
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	defer hc.CloseIdleConnections()
	b.ReportAllocs()
	for b.Loop() {
		resp, err := hc.Post(url, "application/json", strings.NewReader(`{"returnSecureToken":true}`))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}
