package web

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/asabgo/asab/app"
)

// Route adds a route to the echo instance of a's web service
// (asab.WebService): h answers method requests to path (an echo path, such
// as "/users/:id"), behind the route middleware m. It is
// svc.Echo().Add(method, path, h, m...) with the service found for you,
// the way a service's Initialize adds its routes; for a group, or a
// container of NewContainer, use its Echo yourself.
func Route(a *app.Application, method, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) error {
	svc, err := app.Service[*Service](a)
	if err != nil {
		return fmt.Errorf("web: route %s %s: %w", method, path, err)
	}
	svc.Echo().Add(method, path, h, m...)
	return nil
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
