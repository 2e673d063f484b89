package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// corsMethods are the methods a preflight answer allows.
const corsMethods = "GET, HEAD, PUT, PATCH, POST, DELETE"

// corsMiddleware answers CORS for the origins of [section] cors ("*" for
// any origin). A request from an allowed origin gets
// Access-Control-Allow-Origin; a preflight (OPTIONS with
// Access-Control-Request-Method) from one is answered 204 here with the
// allowed methods and the requested headers. A request from any other
// origin is served without CORS headers, so the browser blocks it.
func corsMiddleware(origins []string) echo.MiddlewareFunc {
	any := false
	allowed := make(map[string]bool, len(origins))
	for _, o := range origins {
		if o == "*" {
			any = true
		}
		allowed[strings.TrimSuffix(o, "/")] = true
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			origin := c.Request().Header.Get(echo.HeaderOrigin)
			if origin == "" {
				return next(c)
			}
			h := c.Response().Header()
			h.Add(echo.HeaderVary, echo.HeaderOrigin)
			if !any && !allowed[origin] {
				return next(c)
			}
			if any {
				h.Set(echo.HeaderAccessControlAllowOrigin, "*")
			} else {
				h.Set(echo.HeaderAccessControlAllowOrigin, origin)
			}
			req := c.Request()
			if req.Method != http.MethodOptions || req.Header.Get(echo.HeaderAccessControlRequestMethod) == "" {
				return next(c)
			}
			h.Set(echo.HeaderAccessControlAllowMethods, corsMethods)
			if rh := req.Header.Get(echo.HeaderAccessControlRequestHeaders); rh != "" {
				h.Set(echo.HeaderAccessControlAllowHeaders, rh)
			}
			h.Set(echo.HeaderAccessControlMaxAge, "86400")
			return c.NoContent(http.StatusNoContent)
		}
	}
}
