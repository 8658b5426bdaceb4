package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/roomgate/roomgate/internal/authn"
)

// claimsJSON answers POST /v1/me/claims and the admin routes.
type claimsJSON struct {
	UID           string         `json:"uid"`
	Claims        map[string]any `json:"claims"`
	ClaimsVersion int64          `json:"claimsVersion"`
	// RefreshIDToken tells the client its current ID token predates these
	// claims: call getIdToken(true) before talking to Firestore.
	RefreshIDToken bool `json:"refreshIdToken"`
	// RoomsLeft is set by a ban: how many rooms the user was removed from.
	RoomsLeft *int `json:"roomsLeft,omitempty"`
}

// admit handles POST /v1/me/claims. The body, if any, must be {}.
func (s *server) admit(c echo.Context) error {
	var empty struct{}
	if err := decodeBody(c, s.MaxBodyBytes, &empty, true); err != nil {
		return err
	}
	t := authn.FromContext(c)
	res, err := s.Claims.Admit(c.Request().Context(), t.UID, requestID(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, claimsJSON{UID: t.UID, Claims: nonNil(res.Claims), ClaimsVersion: res.Version, RefreshIDToken: true})
}

func nonNil(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
