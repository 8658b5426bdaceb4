package emuclient

import "context"

// Credentials are gRPC per-RPC credentials for an emulator: they send
// "authorization: Bearer <token>" on every call (nothing when the token is
// empty, as an unauthenticated client does). They need no TLS, which the
// emulators do not speak.
type Credentials struct {
	// Token is the bearer sent when the call's context carries none (see
	// WithToken): an ID token, OwnerToken, or "" for no header.
	Token string
	// ResourcePrefix, when set, is also sent as the
	// google-cloud-resource-prefix header (projects/P/databases/D), which
	// every Firestore SDK sends. A raw firestorepb client needs it for
	// Google's emulator, which routes the Listen and Write streams by it
	// before reading their first message.
	ResourcePrefix string
}

// tokenKey carries a per-call token in a context.
type tokenKey struct{}

// WithToken makes the calls made under ctx over a connection with
// Credentials send tok instead of Credentials.Token ("" sends none). One
// connection can then serve several identities without one caller's
// token reaching another's call.
func WithToken(ctx context.Context, tok string) context.Context {
	return context.WithValue(ctx, tokenKey{}, tok)
}

// GetRequestMetadata implements credentials.PerRPCCredentials.
func (c Credentials) GetRequestMetadata(ctx context.Context, _ ...string) (map[string]string, error) {
	tok := c.Token
	if t, ok := ctx.Value(tokenKey{}).(string); ok {
		tok = t
	}
	md := map[string]string{}
	if tok != "" {
		md["authorization"] = "Bearer " + tok
	}
	if c.ResourcePrefix != "" {
		md["google-cloud-resource-prefix"] = c.ResourcePrefix
	}
	return md, nil
}

// RequireTransportSecurity implements credentials.PerRPCCredentials: the
// emulators listen in plaintext on loopback.
func (Credentials) RequireTransportSecurity() bool { return false }
