// Package session is optional session middleware for asab web containers:
// sessions kept in memory and named by a cookie.
//
//	store, err := session.New(a, "web:session")
//	svc.Echo().Use(store.Middleware())
//	...
//	func handler(c echo.Context) error {
//		s := session.Get(c) // the request's session, created when it has none
//		n, _ := s.Get("visits").(int)
//		s.Set("visits", n+1)
//		...
//	}
//
// A session's id is 128 random bits (hex) carried in the cookie SESSID
// (HttpOnly, SameSite=Lax, Path=/, Secure when the request came over TLS).
// It lives max_age (15 minutes by default) from its creation; an expired
// session is never returned, and expired sessions are removed from memory on
// every Application.tick/10! message. A session is created only when a
// handler calls Get, so requests that never use one (probes, bots) cost no
// memory. The storage is per process: sessions are lost at restart and not
// shared between instances.
//
// Configuration (section given to New): max_age (15m), cookie_name
// (SESSID); see Settings.
package session
