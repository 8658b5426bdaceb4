package emuclient

import (
	"encoding/base64"
	"encoding/json"
	"time"
)

// OwnerToken is the bearer token the Firebase emulators treat as an
// administrator: requests sending it skip security rules, as the Admin
// SDK's do.
const OwnerToken = "owner"

// IDToken returns an unsigned ID token ({"alg":"none","typ":"JWT"} and an
// empty signature) for uid in projectID, shaped like the ones the Auth
// emulator issues: iss, aud, iat, exp (an hour on), auth_time, sub,
// user_id and firebase.sign_in_provider "custom". The Firestore emulators
// (roomgate's and Google's) accept such a token without checking a
// signature and expose its payload as request.auth.token.
//
// claims are added to the payload and win over the standard fields, so a
// test can also build malformed tokens (an empty sub, say). The token is
// worthless outside an emulator: production verifies signatures.
func IDToken(projectID, uid string, claims map[string]any) string {
	hdr, _ := json.Marshal(map[string]any{"alg": "none", "typ": "JWT"})
	now := time.Now().Unix()
	p := map[string]any{
		"iss": "https://securetoken.google.com/" + projectID, "aud": projectID,
		"iat": now, "exp": now + 3600, "auth_time": now,
		"sub": uid, "user_id": uid,
		"firebase": map[string]any{"sign_in_provider": "custom", "identities": map[string]any{}},
	}
	for k, v := range claims {
		p[k] = v
	}
	body, err := json.Marshal(p)
	if err != nil {
		// Only a claim value JSON cannot encode (a channel, a func)
		// gets here: a bug in the calling test.
		panic("emuclient: IDToken: " + err.Error())
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString(hdr) + "." + enc.EncodeToString(body) + "."
}
