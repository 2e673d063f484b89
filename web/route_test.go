package web_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/web"
)

// TestRouteAndBytes: Route adds routes to the web service from a service's
// Initialize; Bytes answers with the bytes, an HTTPError with its code and
// any other error with 500.
func TestRouteAndBytes(t *testing.T) {
	conf := "[web]\nlisten=127.0.0.1 0\naccess_log=false\n[logging:console]\nenabled=false\n"
	ta := asabtest.New(t, conf, app.WithInitialize(func(_ context.Context, a *app.Application) error {
		return errors.Join(
			web.Route(a, "GET /ok/:name", web.Bytes("text/plain", func(c echo.Context) ([]byte, error) {
				return []byte("hello " + c.Param("name")), nil
			})),
			web.Route(a, "POST /teapot", web.Bytes("text/plain", func(echo.Context) ([]byte, error) {
				return nil, echo.NewHTTPError(http.StatusTeapot, "short and stout")
			})),
			web.Route(a, "GET /fail", web.Bytes("text/plain", func(echo.Context) ([]byte, error) {
				return nil, errors.New("broken")
			})),
			web.Route(a, "/any", web.Bytes("text/plain", func(c echo.Context) ([]byte, error) {
				return []byte("any " + c.Request().Method), nil
			})))
	})).AddModule(web.Module).Start()
	base := asabtest.Service[*web.Service](t, ta).URL(0)
	for _, tc := range []struct {
		method, path string
		code         int
		body, ctype  string
	}{
		{http.MethodGet, "/ok/world", http.StatusOK, "hello world", "text/plain"},
		{http.MethodPost, "/teapot", http.StatusTeapot, "short and stout", "application/json"},
		{http.MethodGet, "/fail", http.StatusInternalServerError, "Internal Server Error", "application/json"},
		{http.MethodGet, "/teapot", http.StatusMethodNotAllowed, "", ""},
		{http.MethodGet, "/any", http.StatusOK, "any GET", "text/plain"},
		{http.MethodDelete, "/any", http.StatusOK, "any DELETE", "text/plain"},
	} {
		req, _ := http.NewRequestWithContext(t.Context(), tc.method, base+tc.path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.code || !strings.Contains(string(body), tc.body) || !strings.HasPrefix(res.Header.Get("Content-Type"), tc.ctype) {
			t.Errorf("%s %s: %d %q (%s), want %d %q (%s)", tc.method, tc.path, res.StatusCode, body, res.Header.Get("Content-Type"), tc.code, tc.body, tc.ctype)
		}
	}
	if code := ta.Stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

// TestRouteWithoutWebService: Route names what is missing.
func TestRouteWithoutWebService(t *testing.T) {
	ta := asabtest.New(t, "[logging:console]\nenabled=false\n")
	err := web.Route(ta.Application, "GET /x", func(echo.Context) error { return nil })
	if err == nil || !strings.Contains(err.Error(), `web: route "GET /x"`) {
		t.Fatalf("error %v", err)
	}
}

// TestRouteBadPattern: a pattern that is not "[METHOD ]/path" is refused,
// quoting it, before the web service is looked for.
func TestRouteBadPattern(t *testing.T) {
	ta := asabtest.New(t, "[logging:console]\nenabled=false\n")
	for pattern, want := range map[string]string{
		"count":       `web: route "count": the path must start with "/"`,
		"GET count":   `web: route "GET count": the path must start with "/"`,
		"get /count":  `web: route "get /count": method "get" is not an upper-case HTTP method`,
		"GET-X /a":    `method "GET-X"`,
		"":            `web: route "": the path must start with "/"`,
		"GET  /count": `no service of type *web.Service`, // a good pattern: the missing service is the error
	} {
		err := web.Route(ta.Application, pattern, func(echo.Context) error { return nil })
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("pattern %q: error %v, want it to contain %q", pattern, err, want)
		}
	}
}
