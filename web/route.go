package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/asabgo/asab/app"
)

// Route adds a route to the echo instance of a's web service
// (asab.WebService): h answers the requests that pattern matches, behind
// the route middleware m. A pattern is written as net/http's ServeMux
// writes one, "[METHOD ]PATH", with an echo path: "GET /users/:id" answers
// GET only, "/health" every method. It is svc.Echo().Add(method, path, h,
// m...) (or Any) with the service found for you, the way a service's
// Initialize adds its routes; for a group, or a container of NewContainer,
// use its Echo yourself.
func Route(a *app.Application, pattern string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) error {
	method, path, err := parsePattern(pattern)
	if err != nil {
		return err
	}
	svc, err := app.Service[*Service](a)
	if err != nil {
		return fmt.Errorf("web: route %q: %w", pattern, err)
	}
	if method == "" {
		svc.Echo().Any(path, h, m...)
	} else {
		svc.Echo().Add(method, path, h, m...)
	}
	return nil
}

// parsePattern splits "[METHOD ]PATH"; the method is upper-case letters and
// the path starts with "/".
func parsePattern(pattern string) (method, path string, err error) {
	method, path, found := strings.Cut(pattern, " ")
	if !found {
		method, path = "", pattern
	}
	path = strings.TrimLeft(path, " ")
	if !strings.HasPrefix(path, "/") {
		return "", "", fmt.Errorf("web: route %q: the path must start with \"/\" (a pattern is \"[METHOD ]/path\")", pattern)
	}
	if strings.TrimFunc(method, func(r rune) bool { return r >= 'A' && r <= 'Z' }) != "" {
		return "", "", fmt.Errorf("web: route %q: method %q is not an upper-case HTTP method", pattern, method)
	}
	return method, path, nil
}

// Bytes returns a handler that answers 200 with the bytes f returns, as
// contentType, or, when f fails, returns f's error to echo, whose error
// handler answers it (an *echo.HTTPError with its code and message,
// anything else 500). It is for handlers that compute a body, so that they
// need not write the response themselves.
func Bytes(contentType string, f func(c echo.Context) ([]byte, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		body, err := f(c)
		if err != nil {
			return err
		}
		return c.Blob(http.StatusOK, contentType, body)
	}
}
