package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/roomgate/roomgate/internal/rooms"
)

// patchRoomBody is PATCH /v1/rooms/{id}: the fields that may change.
type patchRoomBody struct {
	Title           *string `json:"title"`
	SlowModeSeconds *int    `json:"slowModeSeconds"`
	// PushPreview opts the room in to (true) or out of (false) push
	// previews; decodeStrict refuses anything but a JSON boolean.
	PushPreview *bool `json:"pushPreview"`
}

// memberRoleBody is PUT /v1/rooms/{id}/members/{uid}.
type memberRoleBody struct {
	Role string `json:"role"`
}

// patchRoom handles PATCH /v1/rooms/{id} (owner or room admin).
func (s *server) patchRoom(c echo.Context) error {
	id, err := roomParam(c)
	if err != nil {
		return err
	}
	var b patchRoomBody
	if err := decodeBody(c, s.MaxBodyBytes, &b, false); err != nil {
		return err
	}
	if b.Title == nil && b.SlowModeSeconds == nil && b.PushPreview == nil {
		p := problem(CodeInvalidField, "nothing to change: send title, slowModeSeconds or pushPreview")
		p.Field = "title"
		return p
	}
	// Each value is validated once, by RoomAdmin under the service's Limits.
	var room rooms.Room
	if b.Title != nil {
		if room, err = s.RoomAdmin.SetTitle(c.Request().Context(), actor(c), id.String(), *b.Title); err != nil {
			return err
		}
	}
	if b.SlowModeSeconds != nil {
		if room, err = s.RoomAdmin.SetSlowMode(c.Request().Context(), actor(c), id.String(), *b.SlowModeSeconds); err != nil {
			return err
		}
	}
	if b.PushPreview != nil {
		if room, err = s.RoomAdmin.SetPushPreview(c.Request().Context(), actor(c), id.String(), *b.PushPreview); err != nil {
			return err
		}
	}
	return c.JSON(http.StatusOK, toRoomJSON(room))
}

// setMemberRole handles PUT /v1/rooms/{id}/members/{uid}: the owner makes
// a member admin or member again, or owner (a transfer).
func (s *server) setMemberRole(c echo.Context) error {
	id, err := roomParam(c)
	if err != nil {
		return err
	}
	uid, err := uidParam(c)
	if err != nil {
		return err
	}
	var b memberRoleBody
	if err := decodeBody(c, s.MaxBodyBytes, &b, false); err != nil {
		return err
	}
	if !rooms.ValidRoomRole(b.Role) {
		p := problem(CodeInvalidField, `role must be "owner", "admin" or "member"`)
		p.Field = "role"
		return p
	}
	room, err := s.RoomAdmin.SetRole(c.Request().Context(), actor(c), id.String(), uid, rooms.Role(b.Role))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toRoomJSON(room))
}
