package api

// account.go holds account deletion: DELETE /v1/me (self-service, as the
// app stores require in-app deletion) and DELETE /v1/admin/users/{uid}.

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/roomgate/roomgate/internal/authn"
)

// DefaultReauthWindow is how recent a sign-in DELETE /v1/me requires when
// Deps.ReauthWindow is 0.
const DefaultReauthWindow = 5 * time.Minute

// authTimeSkew tolerates an auth_time slightly ahead of this server's
// clock (Firebase's and ours drift a little); further ahead is refused.
const authTimeSkew = time.Minute

// recentSignIn reports whether t's sign-in (auth_time) lies within the
// window before now. A token without auth_time, or one whose auth_time
// lies in the future beyond the clock skew, is not recent: deny by
// default.
func recentSignIn(t *authn.Token, now time.Time, window time.Duration) bool {
	if t == nil || t.AuthTime.IsZero() {
		return false
	}
	if t.AuthTime.After(now.Add(authTimeSkew)) {
		return false
	}
	return now.Sub(t.AuthTime) <= window
}

// deleteMe handles DELETE /v1/me: the caller deletes their own account.
// Any signed-in user may (admitted or not, banned or not), but only with
// a recent sign-in: a stolen or long-lived session alone must not be
// enough to destroy an account. The body, if any, must be {}. 204 once
// everything is deleted; 503 change_pending when the deletion is
// recorded but not finished (the reconciler finishes it; a retry with
// the same token, while it is still valid, does too).
func (s *server) deleteMe(c echo.Context) error {
	var empty struct{}
	if err := decodeBody(c, s.MaxBodyBytes, &empty, true); err != nil {
		return err
	}
	t := authn.FromContext(c)
	window := s.ReauthWindow
	if window <= 0 {
		window = DefaultReauthWindow
	}
	if !recentSignIn(t, s.Now(), window) {
		return problem(CodeReauthRequired, "sign in again (not just refresh the ID token), then retry within "+window.String())
	}
	if _, err := s.Claims.DeleteAccount(c.Request().Context(), t.UID, requestID(c), t.UID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// deleteUser handles DELETE /v1/admin/users/{uid}: an admin deletes
// another user's account, audited like a ban. An admin deleting their
// own account uses DELETE /v1/me, which asks for a recent sign-in.
func (s *server) deleteUser(c echo.Context) error {
	uid, err := s.emptyBodyUID(c)
	if err != nil {
		return err
	}
	a := actor(c)
	if uid == a.UID {
		p := problem(CodeInvalidField, "delete your own account with DELETE /v1/me")
		p.Field = "uid"
		return p
	}
	if _, err := s.Claims.DeleteAccount(c.Request().Context(), a.UID, a.RequestID, uid); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
