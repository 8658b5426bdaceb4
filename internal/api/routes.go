package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/roomgate/roomgate/internal/authn"
	"github.com/roomgate/roomgate/internal/schema"
)

// routes registers every route. The OpenAPI document (openapi.json) lists
// exactly these; TestOpenAPIMatchesRoutes keeps the two in step.
//
// The /v1 middleware is attached per route, not to the group: Echo answers
// a group with middleware through catch-all routes, so a wrong method (PUT
// on a room) came back as 401 or 404 from inside the chain. Without them
// the router itself answers 405 with Allow, or 404, before authentication.
func (s *server) routes(e *echo.Echo) {
	e.Use(s.recoverMiddleware, s.requestIDMiddleware, s.observeMiddleware, s.corsMiddleware)

	// Load balancers probe with HEAD as well as GET.
	probe := []string{http.MethodGet, http.MethodHead}
	e.Match(probe, "/healthz", s.healthz)
	e.Match(probe, "/readyz", s.readyz)
	if !s.SeparateMetrics {
		e.GET("/metrics", echo.WrapHandler(s.metrics.Handler()))
	}
	e.GET("/openapi.json", s.openapi)
	e.POST("/events/firestore", s.firestoreEvents)

	v1 := e.Group("/v1")
	// Order matters: the request deadline, fail-fast while Firestore is
	// down, failed-authentication limit per address, local token
	// check, per-uid rate limit, then (mutating methods only) the
	// revocation lookup at Firebase Auth, so a limited request costs none.
	authed := []echo.MiddlewareFunc{s.timeoutMiddleware, s.failFastMiddleware, s.authFailureMiddleware,
		authn.Middleware(s.Verifier), s.rateLimitMiddleware, authn.CheckRevocation(s.Verifier)}
	admitted := append(authed[:len(authed):len(authed)], s.requireAdmitted)
	admin := append(authed[:len(authed):len(authed)], s.requireAdmin)

	v1.POST("/me/claims", s.admit, authed...)
	v1.PUT("/me/devices/:installationId", s.putDevice, admitted...)
	v1.DELETE("/me/devices/:installationId", s.deleteDevice, authed...)
	v1.PUT("/rooms/:id/members/me/mute", s.setMute(true), admitted...)
	v1.DELETE("/rooms/:id/members/me/mute", s.setMute(false), admitted...)

	v1.POST("/rooms", s.createRoom, admitted...)
	v1.GET("/rooms", s.listRooms, admitted...)
	v1.GET("/rooms/:id", s.getRoom, admitted...)
	v1.DELETE("/rooms/:id", s.deleteRoom, admitted...)
	v1.POST("/rooms/:id/members", s.addMembers, admitted...)
	v1.DELETE("/rooms/:id/members/:uid", s.removeMember, admitted...)

	v1.PUT("/admin/users/:uid/role", s.setRole, admin...)
	v1.POST("/admin/users/:uid/ban", s.ban, admin...)
	v1.DELETE("/admin/users/:uid/ban", s.unban, admin...)

	// Account deletion: any signed-in user, for themselves (with a recent
	// sign-in); admins for others.
	v1.DELETE("/me", s.deleteMe, authed...)
	v1.DELETE("/admin/users/:uid", s.deleteUser, admin...)

	// Chat-app routes: invites, room management, profiles and lookup,
	// blocks, reports and the audit log.
	moderator := append(authed[:len(authed):len(authed)], s.requireModerator)
	v1.POST("/rooms/:id/invites", s.createInvite, admitted...)
	v1.GET("/rooms/:id/invites", s.listInvites, admitted...)
	v1.DELETE("/rooms/:id/invites/:inviteId", s.revokeInvite, admitted...)
	// The last segment is "{token}:accept"; Echo has no literal text after
	// a parameter, so the handler checks the suffix.
	v1.POST("/invites/:token", s.acceptInvite, admitted...)
	v1.PATCH("/rooms/:id", s.patchRoom, admitted...)
	v1.PUT("/rooms/:id/members/:uid", s.setMemberRole, admitted...)
	v1.GET("/me/profile", s.getProfile, admitted...)
	v1.PUT("/me/profile", s.putProfile, admitted...)
	v1.GET(`/users\:lookup`, s.lookupUser, admitted...)
	v1.GET("/me/blocks", s.listBlocks, admitted...)
	v1.PUT("/me/blocks/:uid", s.block, admitted...)
	v1.DELETE("/me/blocks/:uid", s.unblock, admitted...)
	v1.POST("/rooms/:id/reports", s.reportMessage, admitted...)
	v1.GET("/admin/reports", s.listReports, moderator...)
	v1.GET("/admin/audit", s.listAudit, admin...)
}

// requireAdmitted lets through callers whose token carries chat and not
// banned (the rules' admitted()).
func (s *server) requireAdmitted(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		t := authn.FromContext(c)
		if t.Bool(schema.ClaimBanned) {
			return problem(CodeBanned, "")
		}
		if !t.Admitted() {
			return problem(CodeNotAdmitted, "call POST /v1/me/claims, then refresh your ID token")
		}
		return next(c)
	}
}

// requireAdmin lets through callers whose token has role "admin" and is
// not banned, and whose current recorded role (users/{uid}) still is
// admin: a token can be an hour old, and a demoted or banned admin must
// lose access at once.
func (s *server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		t := authn.FromContext(c)
		if t.String(schema.ClaimRole) != schema.RoleAdmin || t.Bool(schema.ClaimBanned) {
			return problem(CodeAdminRequired, "")
		}
		role, banned, err := s.Claims.CurrentRole(c.Request().Context(), t.UID)
		if err != nil {
			return err
		}
		if role != schema.RoleAdmin || banned {
			return problem(CodeAdminRequired, "your admin role was withdrawn; refresh your ID token")
		}
		return next(c)
	}
}

// statusClientClosed is nginx's code for a client gone before the answer,
// used only in metrics.
const statusClientClosed = 499
