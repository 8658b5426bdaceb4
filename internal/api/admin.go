package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/roomgate/roomgate/internal/authn"
	"github.com/roomgate/roomgate/internal/claims"
)

type roleBody struct {
	Role string `json:"role"`
}

// setRole handles PUT /v1/admin/users/{uid}/role.
func (s *server) setRole(c echo.Context) error {
	uid, err := uidParam(c)
	if err != nil {
		return err
	}
	var b roleBody
	if err := decodeBody(c, s.MaxBodyBytes, &b, false); err != nil {
		return err
	}
	if !claims.ValidRole(b.Role) {
		p := problem(CodeInvalidField, `role must be "user", "moderator" or "admin"`)
		p.Field = "role"
		return p
	}
	res, err := s.Claims.SetRole(c.Request().Context(), authn.FromContext(c).UID, requestID(c), uid, b.Role)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, claimsJSON{UID: uid, Claims: nonNil(res.Claims), ClaimsVersion: res.Version, RefreshIDToken: true})
}

// ban handles POST /v1/admin/users/{uid}/ban: banned recorded (with chat
// cleared) first, so that the room transactions, the admin routes and the
// moderator rule refuse the user from then on; then claims, refresh-token
// revocation and removal from every room, which the claims manager keeps
// retrying until done (503 change_pending if this request could not
// finish them).
func (s *server) ban(c echo.Context) error {
	uid, err := s.emptyBodyUID(c)
	if err != nil {
		return err
	}
	a := actor(c)
	if uid == a.UID {
		p := problem(CodeInvalidField, "an admin cannot ban themselves")
		p.Field = "uid"
		return p
	}
	res, err := s.Claims.Ban(c.Request().Context(), a.UID, a.RequestID, uid)
	if err != nil {
		return err
	}
	n := res.RoomsLeft
	return c.JSON(http.StatusOK, claimsJSON{UID: uid, Claims: nonNil(res.Claims), ClaimsVersion: res.Version, RefreshIDToken: true, RoomsLeft: &n})
}

// unbanBody is DELETE /v1/admin/users/{uid}/ban's optional body.
type unbanBody struct {
	// RestoreDeleted asks to lift a deleted account's tombstone only,
	// keeping a ban from before the deletion (claims.Manager.Restore).
	RestoreDeleted bool `json:"restoreDeleted"`
}

// unban handles DELETE /v1/admin/users/{uid}/ban: with no body (or {}),
// lift the ban; with {"restoreDeleted": true}, lift only a deleted
// account's tombstone. A plain unban of the tombstone of a user banned
// before the deletion answers 409 banned_before_deletion, so that a
// repeated unban never lifts both the tombstone and the ban.
func (s *server) unban(c echo.Context) error {
	uid, err := uidParam(c)
	if err != nil {
		return err
	}
	var b unbanBody
	if err := decodeBody(c, s.MaxBodyBytes, &b, true); err != nil {
		return err
	}
	ctx, actor := c.Request().Context(), authn.FromContext(c).UID
	var res claims.Result
	if b.RestoreDeleted {
		res, err = s.Claims.Restore(ctx, actor, requestID(c), uid)
	} else {
		res, err = s.Claims.Unban(ctx, actor, requestID(c), uid)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, claimsJSON{UID: uid, Claims: nonNil(res.Claims), ClaimsVersion: res.Version, RefreshIDToken: true})
}

// emptyBodyUID validates :uid and accepts no body other than {}.
func (s *server) emptyBodyUID(c echo.Context) (string, error) {
	uid, err := uidParam(c)
	if err != nil {
		return "", err
	}
	var empty struct{}
	return uid, decodeBody(c, s.MaxBodyBytes, &empty, true)
}
