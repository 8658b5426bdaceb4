package api

import (
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/roomgate/roomgate/internal/authn"
	"github.com/roomgate/roomgate/internal/profiles"
	"github.com/roomgate/roomgate/internal/schema"
)

// profileBody is PUT /v1/me/profile. avatarUrl and discoverable are
// optional (none; not discoverable).
type profileBody struct {
	DisplayName  string `json:"displayName"`
	AvatarURL    string `json:"avatarUrl"`
	Discoverable bool   `json:"discoverable"`
}

type profileJSON struct {
	UID          string    `json:"uid"`
	DisplayName  string    `json:"displayName"`
	AvatarURL    string    `json:"avatarUrl"`
	Discoverable bool      `json:"discoverable"`
	UpdatedAt    time.Time `json:"updatedAt"`
}

type lookupJSON struct {
	UID string `json:"uid"`
}

func toProfileJSON(uid string, p profiles.Profile) profileJSON {
	return profileJSON{UID: uid, DisplayName: p.DisplayName, AvatarURL: p.AvatarURL, Discoverable: p.Discoverable, UpdatedAt: p.UpdatedAt}
}

// putProfile handles PUT /v1/me/profile. discoverable needs the token to
// carry a verified email address, which becomes the lookup key.
func (s *server) putProfile(c echo.Context) error {
	var b profileBody
	if err := decodeBody(c, s.MaxBodyBytes, &b, false); err != nil {
		return err
	}
	in := profiles.Profile{DisplayName: b.DisplayName, AvatarURL: b.AvatarURL, Discoverable: b.Discoverable}
	if err := profiles.Validate(in); err != nil {
		return err
	}
	t := authn.FromContext(c)
	who := profiles.Identity{UID: t.UID, Email: t.String(schema.ClaimEmail), EmailVerified: t.Bool(schema.ClaimEmailVerified)}
	out, err := s.Profiles.Put(c.Request().Context(), who, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toProfileJSON(t.UID, out))
}

// getProfile handles GET /v1/me/profile.
func (s *server) getProfile(c echo.Context) error {
	uid := authn.FromContext(c).UID
	p, err := s.Profiles.Get(c.Request().Context(), uid)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toProfileJSON(uid, p))
}

// lookupUser handles GET /v1/users:lookup?email=: exact match among users
// who opted in, within the caller's lookup bucket. An unknown address
// and an undiscoverable user answer the same 404.
func (s *server) lookupUser(c echo.Context) error {
	q, err := url.ParseQuery(c.Request().URL.RawQuery)
	if err != nil {
		return problem(CodeInvalidRequest, "malformed query string")
	}
	for k, v := range q {
		if k != "email" {
			p := problem(CodeInvalidField, "unknown query parameter")
			p.Field = clipField(k)
			return p
		}
		if len(v) > 1 {
			p := problem(CodeInvalidField, "given more than once")
			p.Field = k
			return p
		}
	}
	email := q.Get("email")
	if _, err := profiles.NormaliseEmail(email); err != nil {
		return err
	}
	if ok, wait := s.guards.lookup.take(authn.FromContext(c).UID); !ok {
		return s.tooMany(c, wait, "too many lookups; see Retry-After")
	}
	uid, err := s.Profiles.Lookup(c.Request().Context(), email)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, lookupJSON{UID: uid})
}
