package firestore

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/roomgate/roomgate/emulator/rules"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// caller is who sent a request, from its Authorization header:
//
//	Bearer owner  -> admin: security rules are skipped
//	Bearer <JWT>  -> that user; signed or unsigned, with no signature,
//	                 exp, aud or iss check, exactly like Google's emulator
//	none          -> unauthenticated (request.auth == null)
type caller struct {
	admin bool
	auth  *rules.Auth // nil = unauthenticated
	// project is the project of the request ("" when unknown). The unary
	// interceptor fills it from the request's database/parent/name; a
	// streaming handler sets it from each message.
	project string
	// bad is set when the Authorization header was present but not
	// understood; such callers are rejected (deny by default).
	bad string
}

type projectKey struct{}

// withProject records the request's project in ctx for callerFrom.
func withProject(ctx context.Context, project string) context.Context {
	return context.WithValue(ctx, projectKey{}, project)
}

// callerFrom reads the caller from the incoming gRPC metadata of ctx.
func callerFrom(ctx context.Context) caller {
	c := caller{}
	c.project, _ = ctx.Value(projectKey{}).(string)
	md, _ := metadata.FromIncomingContext(ctx)
	vals := md.Get("authorization")
	if len(vals) == 0 {
		return c
	}
	return parseAuthorization(vals[0], c)
}

// parseAuthorization interprets one Authorization header value.
func parseAuthorization(h string, c caller) caller {
	h = strings.TrimSpace(h)
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		c.bad = "Authorization header is not a Bearer token"
		return c
	}
	tok = strings.TrimSpace(tok)
	if tok == "owner" {
		c.admin = true
		return c
	}
	auth, why := decodeJWT(tok)
	if auth == nil {
		c.bad = why
		return c
	}
	c.auth = auth
	return c
}

// decodeJWT decodes the claims of a JWT without verifying it. The uid is
// `sub`, falling back to `user_id` (inferred, not documented;
// mock and Auth-emulator tokens set both). A token without either is
// rejected rather than treated as some user.
func decodeJWT(tok string) (*rules.Auth, string) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, "Bearer token is not a JWT"
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, "JWT payload is not base64url"
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil || claims == nil {
		return nil, "JWT payload is not a JSON object"
	}
	token := normalizeClaims(claims).(map[string]any)
	uid, _ := token["sub"].(string)
	if uid == "" {
		uid, _ = token["user_id"].(string)
	}
	if uid == "" {
		return nil, "JWT has neither sub nor user_id"
	}
	return &rules.Auth{UID: uid, Token: token}, ""
}

// normalizeClaims turns json.Numbers into int64 (when integral) or
// float64, as rules.Auth.Token expects.
func normalizeClaims(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeClaims(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = normalizeClaims(e)
		}
		return x
	}
	return v
}

// check rejects callers whose Authorization header could not be read,
// with INVALID_ARGUMENT "invalid jwt: …": Google's emulator answers an
// unreadable Bearer token with INVALID_ARGUMENT "invalid jwt" (observed;
// another scheme ends its call with UNKNOWN). Treating such a caller as
// anonymous instead could let a broken client pass rules meant for
// signed-out users, so we refuse. Unlike UNAUTHENTICATED, the SDKs do not
// retry it with a refreshed token.
func (c caller) check() error {
	if c.bad != "" {
		return status.Error(codes.InvalidArgument, "invalid jwt: "+c.bad)
	}
	return nil
}
