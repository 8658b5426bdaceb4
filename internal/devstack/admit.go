package devstack

// admit.go has the service admit a user and checks the refreshed token.

import (
	"context"
	"fmt"
	"net/http"
)

// admitResponse is POST /v1/me/claims.
type admitResponse struct {
	Claims        map[string]any `json:"claims"`
	ClaimsVersion int64          `json:"claimsVersion"`
}

// admit has the service admit u (the chat claim) and then refreshes u's ID
// token, as the service's answer asks, so the token carries the claim.
// It checks that the refreshed token really has chat == true.
func admit(ctx context.Context, api *apiClient, auth *authClient, u *demoUser) (admitResponse, error) {
	var r admitResponse
	if _, err := api.call(ctx, http.MethodPost, "/v1/me/claims", u.IDToken, struct{}{}, &r); err != nil {
		return r, fmt.Errorf("admit %s: %w", u.Name, err)
	}
	if err := auth.refresh(ctx, u); err != nil {
		return r, err
	}
	claims, err := tokenClaims(u.IDToken)
	if err != nil {
		return r, fmt.Errorf("admit %s: refreshed token: %w", u.Name, err)
	}
	if claims["chat"] != true {
		return r, fmt.Errorf("admit %s: the refreshed ID token does not carry chat=true", u.Name)
	}
	return r, nil
}

// roomResponse is the part of a room the tools use.
type roomResponse struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Kind        string `json:"kind"`
	MemberCount int    `json:"memberCount"`
	Members     []struct {
		UID  string `json:"uid"`
		Role string `json:"role"`
	} `json:"members"`
}
