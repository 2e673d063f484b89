package session

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// contextKey is the echo context key of the request's session state.
const contextKey = "asab.session"

// state is what the middleware leaves in the echo context.
type state struct {
	st *Store
	s  *Session
}

// Middleware finds the request's session from its cookie and makes it
// available to Get and Lookup.
func (st *Store) Middleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			rs := &state{st: st}
			if ck, err := c.Cookie(st.cookie); err == nil {
				rs.s, _ = st.Lookup(ck.Value, time.Now())
			}
			c.Set(contextKey, rs)
			return next(c)
		}
	}
}

// Lookup returns the request's existing session, if its cookie names an
// unexpired one.
func Lookup(c echo.Context) (*Session, bool) {
	rs, ok := c.Get(contextKey).(*state)
	if !ok || rs.s == nil {
		return nil, false
	}
	return rs.s, true
}

// Get returns the request's session, creating it and setting the cookie
// when the request has none; call it before writing the response. It
// returns nil when the store's middleware is not installed on the route or
// no random id could be made.
func Get(c echo.Context) *Session {
	rs, ok := c.Get(contextKey).(*state)
	if !ok {
		return nil
	}
	if rs.s != nil {
		return rs.s
	}
	s, err := rs.st.Create(time.Now())
	if err != nil {
		return nil
	}
	rs.s = s
	c.SetCookie(&http.Cookie{
		Name:     rs.st.cookie,
		Value:    s.id,
		Path:     "/",
		MaxAge:   int(rs.st.maxAge.Seconds() + 0.5),
		HttpOnly: true,
		Secure:   c.Request().TLS != nil,
		SameSite: http.SameSiteLaxMode,
	})
	return s
}

// End deletes the request's session and tells the client to drop the
// cookie.
func End(c echo.Context) {
	rs, ok := c.Get(contextKey).(*state)
	if !ok || rs.s == nil {
		return
	}
	rs.st.Delete(rs.s.id)
	rs.s = nil
	c.SetCookie(&http.Cookie{Name: rs.st.cookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}
