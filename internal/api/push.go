package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/roomgate/roomgate/internal/authn"
	"github.com/roomgate/roomgate/internal/push"
)

// PushService is what the push routes need; app.Push implements it. A nil
// Deps.Push answers every push route 404 not_found (push not enabled).
type PushService interface {
	PutDevice(ctx context.Context, uid, installationID string, d push.Device) error
	DeleteDevice(ctx context.Context, uid, installationID string) error
	SetMute(ctx context.Context, uid, roomID string, muted bool) error
	// Events is the Eventarc delivery endpoint's handler; nil when that
	// source is not configured.
	Events() http.Handler
}

// deviceJSON is PUT /v1/me/devices/{installationId}'s body.
type deviceJSON struct {
	Token    string `json:"token"`
	Platform string `json:"platform"`
}

func (s *server) pushEnabled() error {
	if s.Push == nil {
		return problem(CodeNotFound, "push notifications are not enabled on this service")
	}
	return nil
}

// pushProblem maps the push package's errors.
func pushProblem(err error) error {
	var p *Problem
	switch {
	case err == nil, errors.As(err, &p):
		return err
	case errors.Is(err, push.ErrInvalidInstallationID):
		p = problem(CodeInvalidField, "installationId: 1-64 characters of [A-Za-z0-9_-]")
		p.Field = "installationId"
	case errors.Is(err, push.ErrInvalidToken):
		p = problem(CodeInvalidField, "token: an FCM registration token (16-4096 characters of [A-Za-z0-9_:.-])")
		p.Field = "token"
	case errors.Is(err, push.ErrInvalidPlatform):
		p = problem(CodeInvalidField, `platform: "android", "ios", "web" or absent`)
		p.Field = "platform"
	case errors.Is(err, push.ErrDeviceCap):
		p = problem(CodeDeviceCap, "unregister a device first (DELETE /v1/me/devices/{installationId})")
	case errors.Is(err, push.ErrBanned):
		p = problem(CodeBanned, "")
	case errors.Is(err, push.ErrNotMember):
		p = problem(CodeRoomNotFound, "")
	default:
		return err
	}
	return p
}

// putDevice handles PUT /v1/me/devices/{installationId}.
func (s *server) putDevice(c echo.Context) error {
	if err := s.pushEnabled(); err != nil {
		return err
	}
	var body deviceJSON
	if err := decodeBody(c, s.MaxBodyBytes, &body, false); err != nil {
		return err
	}
	err := s.Push.PutDevice(c.Request().Context(), authn.FromContext(c).UID, c.Param("installationId"),
		push.Device{Token: body.Token, Platform: body.Platform})
	if err != nil {
		return pushProblem(err)
	}
	return c.NoContent(http.StatusNoContent)
}

// deleteDevice handles DELETE /v1/me/devices/{installationId}.
func (s *server) deleteDevice(c echo.Context) error {
	if err := s.pushEnabled(); err != nil {
		return err
	}
	if err := decodeBody(c, s.MaxBodyBytes, &struct{}{}, true); err != nil {
		return err
	}
	if err := s.Push.DeleteDevice(c.Request().Context(), authn.FromContext(c).UID, c.Param("installationId")); err != nil {
		return pushProblem(err)
	}
	return c.NoContent(http.StatusNoContent)
}

// setMute handles PUT (mute) and DELETE (unmute)
// /v1/rooms/{id}/members/me/mute.
func (s *server) setMute(muted bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.pushEnabled(); err != nil {
			return err
		}
		id, err := roomParam(c)
		if err != nil {
			return err
		}
		if err := decodeBody(c, s.MaxBodyBytes, &struct{}{}, true); err != nil {
			return err
		}
		if err := s.Push.SetMute(c.Request().Context(), authn.FromContext(c).UID, id.String(), muted); err != nil {
			return pushProblem(err)
		}
		return c.NoContent(http.StatusNoContent)
	}
}

// firestoreEvents handles POST /events/firestore: Eventarc's deliveries,
// authenticated by the handler itself (Google-signed OIDC), not by a
// Firebase ID token.
func (s *server) firestoreEvents(c echo.Context) error {
	if s.Push == nil || s.Push.Events() == nil {
		return problem(CodeNotFound, "the Eventarc push source is not configured")
	}
	s.Push.Events().ServeHTTP(c.Response(), c.Request())
	return nil
}
