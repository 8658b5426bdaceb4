package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/roomgate/roomgate/internal/roomid"
	"github.com/roomgate/roomgate/internal/rooms"
)

// createInviteBody is POST /v1/rooms/{id}/invites; both fields are
// optional (the configured defaults: see rooms.InviteLimits).
type createInviteBody struct {
	ExpiresInSeconds int64 `json:"expiresInSeconds"`
	MaxUses          int   `json:"maxUses"`
}

type inviteJSON struct {
	ID        string    `json:"id"`
	Token     string    `json:"token"`
	AcceptURL string    `json:"acceptPath"`
	ExpiresAt time.Time `json:"expiresAt"`
	MaxUses   int       `json:"maxUses"`
}

type acceptJSON struct {
	Joined bool     `json:"joined"`
	Room   roomJSON `json:"room"`
}

// acceptSuffix ends the accept route's last segment.
const acceptSuffix = ":accept"

// createInvite handles POST /v1/rooms/{id}/invites. The token is in the
// answer only; the response must not be cached.
func (s *server) createInvite(c echo.Context) error {
	id, err := roomParam(c)
	if err != nil {
		return err
	}
	var b createInviteBody
	if err := decodeBody(c, s.MaxBodyBytes, &b, true); err != nil {
		return err
	}
	req, err := s.Invites.ParseInvite(b.ExpiresInSeconds, b.MaxUses)
	if err != nil {
		return err
	}
	inv, err := s.Invites.Create(c.Request().Context(), actor(c), id.String(), req)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, inviteJSON{ID: inv.ID, Token: inv.Token, AcceptURL: "/v1/invites/" + inv.Token + acceptSuffix,
		ExpiresAt: inv.ExpiresAt, MaxUses: inv.MaxUses})
}

// acceptInvite handles POST /v1/invites/{token}:accept. Every attempt
// takes from the caller's acceptance bucket and every invalid token from
// their failure bucket; with no failures left, acceptance is refused
// before the token is looked at, so guessing costs the guesser.
func (s *server) acceptInvite(c echo.Context) error {
	param := c.Param("token")
	token, ok := strings.CutSuffix(param, acceptSuffix)
	if !ok {
		return problem(CodeNotFound, "no such route")
	}
	var empty struct{}
	if err := decodeBody(c, s.MaxBodyBytes, &empty, true); err != nil {
		return err
	}
	a := actor(c)
	if ok, wait := s.guards.failures.has(a.UID); !ok {
		return s.tooMany(c, wait, "too many invalid invites; see Retry-After")
	}
	if ok, wait := s.guards.accept.take(a.UID); !ok {
		return s.tooMany(c, wait, "too many invite acceptances; see Retry-After")
	}
	res, err := s.Invites.Accept(c.Request().Context(), a, token)
	if errors.Is(err, rooms.ErrInviteInvalid) {
		s.guards.failures.take(a.UID)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, acceptJSON{Joined: res.Joined, Room: toRoomJSON(res.Room)})
}

// revokeInvite handles DELETE /v1/rooms/{id}/invites/{inviteId}.
func (s *server) revokeInvite(c echo.Context) error {
	id, err := roomParam(c)
	if err != nil {
		return err
	}
	inviteID := c.Param("inviteId")
	if !roomid.Valid(inviteID) {
		p := problem(CodeInvalidField, "an invite ID is 22 characters of [A-Za-z0-9]")
		p.Field = "inviteId"
		return p
	}
	if err := s.Invites.Revoke(c.Request().Context(), actor(c), id.String(), inviteID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// listedInviteJSON is one entry of GET /v1/rooms/{id}/invites. It has no
// token field: the token is shown once, at minting, and neither it nor
// its digest is ever listed.
type listedInviteJSON struct {
	ID        string    `json:"id"`
	CreatedBy string    `json:"createdBy"`
	CreatedAt time.Time `json:"createdAt"`
	ExpiresAt time.Time `json:"expiresAt"`
	MaxUses   int       `json:"maxUses"`
	Uses      int       `json:"uses"`
}

type inviteListJSON struct {
	Invites []listedInviteJSON `json:"invites"`
	Next    string             `json:"next,omitempty"`
}

// listInvites handles GET /v1/rooms/{id}/invites: a page of the room's
// live invites, for its owner and admins.
func (s *server) listInvites(c echo.Context) error {
	id, err := roomParam(c)
	if err != nil {
		return err
	}
	limit, cursor, err := pageParams(c)
	if err != nil {
		return err
	}
	q, err := rooms.ParseInviteListQuery(limit, cursor)
	if err != nil {
		return err
	}
	page, err := s.Invites.List(c.Request().Context(), actor(c), id.String(), q)
	if err != nil {
		return err
	}
	out := inviteListJSON{Invites: make([]listedInviteJSON, 0, len(page.Invites)), Next: page.Next}
	for _, inv := range page.Invites {
		out.Invites = append(out.Invites, listedInviteJSON{ID: inv.ID, CreatedBy: inv.CreatedBy, CreatedAt: inv.CreatedAt,
			ExpiresAt: inv.ExpiresAt, MaxUses: inv.MaxUses, Uses: inv.Uses})
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}
