package session_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/labstack/echo/v4"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/web/session"
)

// A handler counting a client's visits in its session. (In an application
// the echo instance is the web service's, and the store is made at
// init-time.)
func Example() {
	a := app.New(app.WithName("example"), app.WithArgs(), app.WithConfigString("[session]\nmax_age=15m\n"))
	defer a.Release()
	store, err := session.New(a, "session")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()

	e := echo.New()
	e.Use(store.Middleware())
	e.GET("/visits", func(c echo.Context) error {
		s := session.Get(c)
		v, _ := s.Get("visits")
		n, _ := v.(int)
		s.Set("visits", n+1)
		return c.String(http.StatusOK, fmt.Sprint(n+1))
	})

	var cookie *http.Cookie
	for i := 0; i < 3; i++ {
		req := httptest.NewRequest("GET", "/visits", nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if cks := rec.Result().Cookies(); len(cks) > 0 {
			cookie = cks[0]
		}
		fmt.Println(rec.Body.String(), cookie.Name)
	}
	fmt.Println("sessions:", store.Len())
	// Output:
	// 1 SESSID
	// 2 SESSID
	// 3 SESSID
	// sessions: 1
}
