package api

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// openAPIDocument is the OpenAPI 3.1 description of every route, served
// at /openapi.json. TestOpenAPIMatchesRoutes checks it against e.Routes()
// and TestOpenAPIListsEveryProblemCode against errors.go.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPI returns the embedded document.
func OpenAPI() []byte { return openAPIDocument }

func (s *server) openapi(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "public, max-age=300")
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPIDocument)
}
