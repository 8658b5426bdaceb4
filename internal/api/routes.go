package api

import (
	"github.com/labstack/echo/v4"

	"github.com/roomgate/roomgate/internal/authn"
)

// routes registers every route. The OpenAPI document (openapi.json) lists
// exactly these; TestOpenAPIMatchesRoutes keeps the two in step.
func (s *server) routes(e *echo.Echo) {
	e.Use(s.recoverMiddleware, s.requestIDMiddleware, s.observeMiddleware)

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", echo.WrapHandler(s.metrics.Handler()))
	e.GET("/openapi.json", s.openapi)
	e.POST("/events/firestore", s.firestoreEvents)

	v1 := e.Group("/v1", s.timeoutMiddleware, authn.Middleware(s.Verifier), s.rateLimitMiddleware)
	v1.POST("/me/claims", s.admit)
	v1.PUT("/me/devices/:installationId", s.putDevice, s.requireAdmitted)
	v1.DELETE("/me/devices/:installationId", s.deleteDevice)

	r := v1.Group("/rooms", s.requireAdmitted)
	r.POST("", s.createRoom)
	r.GET("", s.listRooms)
	r.GET("/:id", s.getRoom)
	r.DELETE("/:id", s.deleteRoom)
	r.POST("/:id/members", s.addMembers)
	r.DELETE("/:id/members/:uid", s.removeMember)
	r.PUT("/:id/members/me/mute", s.setMute(true))
	r.DELETE("/:id/members/me/mute", s.setMute(false))

	a := v1.Group("/admin", s.requireAdmin)
	a.PUT("/users/:uid/role", s.setRole)
	a.POST("/users/:uid/ban", s.ban)
	a.DELETE("/users/:uid/ban", s.unban)
}

// requireAdmitted lets through callers whose token carries chat and not
// banned (the rules' admitted()).
func (s *server) requireAdmitted(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		t := authn.FromContext(c)
		if t.Bool("banned") {
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
		if t.String("role") != "admin" || t.Bool("banned") {
			return problem(CodeAdminRequired, "")
		}
		role, banned, err := s.Claims.CurrentRole(c.Request().Context(), t.UID)
		if err != nil {
			return err
		}
		if role != "admin" || banned {
			return problem(CodeAdminRequired, "your admin role was withdrawn; refresh your ID token")
		}
		return next(c)
	}
}

// statusClientClosed is nginx's code for a client gone before the answer,
// used only in metrics.
const statusClientClosed = 499
