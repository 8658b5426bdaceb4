package authn

import (
	"context"
	"errors"
	"testing"

	"firebase.google.com/go/v4/auth"
)

type stubSDK struct {
	token *auth.Token
	err   error
	// revokedCalls counts calls of the revocation-checking method.
	revokedCalls int
}

func (s *stubSDK) VerifyIDToken(context.Context, string) (*auth.Token, error) {
	return s.token, s.err
}

func (s *stubSDK) VerifyIDTokenAndCheckRevoked(context.Context, string) (*auth.Token, error) {
	s.revokedCalls++
	return s.token, s.err
}

func TestFirebaseMapsTokenFields(t *testing.T) {
	sdk := &stubSDK{token: &auth.Token{UID: "u1", IssuedAt: 100, Claims: map[string]any{
		"email": "a@b.c", "email_verified": true, "chat": true,
	}}}
	f := &Firebase{Client: sdk}
	tok, err := f.Verify(context.Background(), "x", true)
	if err != nil {
		t.Fatal(err)
	}
	if tok.UID != "u1" || tok.Email != "a@b.c" || !tok.EmailVerified || !tok.Admitted() || tok.IssuedAt.Unix() != 100 {
		t.Fatalf("token = %+v", tok)
	}
	if sdk.revokedCalls != 1 {
		t.Fatalf("checkRevoked=true did not use VerifyIDTokenAndCheckRevoked")
	}
}

func TestFirebaseUnknownErrorsDeny(t *testing.T) {
	f := &Firebase{Client: &stubSDK{err: errors.New("boom")}}
	tok, err := f.Verify(context.Background(), "x", false)
	if tok != nil || !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Verify = %v, %v; want nil, ErrUnavailable", tok, err)
	}
	f = &Firebase{Client: &stubSDK{err: context.DeadlineExceeded}}
	if _, err := f.Verify(context.Background(), "x", false); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("deadline: %v", err)
	}
}
