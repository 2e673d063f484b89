// Package web is asab's web server module, "asab.WebService", on echo v4.
//
// web.Module registers a Service holding the default web container,
// configured from section [web]. The container exposes its *echo.Echo
// unchanged: routes, groups, middleware, Pre middleware and the error
// handler are all echo's own.
//
//	a := app.New(app.WithName("hello"), app.WithInitialize(func(ctx context.Context, a *app.Application) error {
//		svc, err := app.Service[*web.Service](a)
//		if err != nil {
//			return err
//		}
//		svc.Echo().GET("/hello", func(c echo.Context) error { return c.String(200, "Hello!") })
//		return nil
//	}))
//	_ = a.AddModule(web.Module)
//	os.Exit(a.Run())
//
// More containers, each with its own echo instance and listeners, come from
// NewContainer(a, "web:admin") (ASAB's create_web_server).
//
// A container follows the application's lifecycle. At init-time it binds
// every line of its listen setting ("0.0.0.0 8080", "127.0.0.1:8080",
// "[::1]:8080", a bare port for every interface, or a unix socket path;
// "ssl" at the end of a line for TLS), so a bad address or a busy port stops
// start-up with an error naming the section and the line, and a port 0's
// real address is known (Addrs) before run-time. At run-time it serves and
// publishes WebContainer.started!. At the first stop it keeps serving for
// stop_delay (default 0; the health endpoint answers 503 meanwhile), then
// stops accepting, lets requests in flight finish within shutdown_timeout
// (and within the application's own shutdown deadline), closes the rest,
// and publishes WebContainer.stopped!.
//
// Every container's echo instance starts with these middleware, each
// with one concern, outermost first:
//
//  1. the Server header (servertokens; none for "none");
//  2. the request metrics (asab_web_*; see Container.Collect);
//  3. handler errors: echo's error handler answers the error there, so
//     the metrics and the access log see the status sent; a 5xx is logged
//     at ERROR on asab.web;
//  4. the access log (access_log): echo's RequestLogger writing one NOTICE
//     line per request on the logger asab.web.al with method, path,
//     status, bytes, duration (seconds), client IP and error; the client
//     IP comes from X-Forwarded-For only when the peer is in
//     trusted_proxies;
//  5. echo's Recover: a handler panic becomes a 500 answer and an ERROR
//     line with the panic value and the stack;
//  6. echo's BodyLimit: 413 for a body over body_max_size;
//  7. echo's CORS, when the cors key is set.
//
// When the application has a tracing service (tracing.Module, found at
// Initialize under TracingServiceName), its server span is outside all of
// these, so the access log line carries trace_id and span_id.
//
// Middleware added with Echo().Use run after these. GET /asab/v1/health
// answers {"phase":..., "uptime":...}, 200 while the application runs and
// 503 otherwise. Sessions are in package web/session.
//
// Slow clients are net/http's business: read_header_timeout,
// read_timeout, write_timeout and idle_timeout are the http.Server's
// ReadHeaderTimeout, ReadTimeout, WriteTimeout and IdleTimeout, with 0
// meaning no limit for each.
//
// On a configuration reload (SIGHUP) a container applies servertokens,
// access_log, trusted_proxies, body_max_size and cors at run time, without
// closing a connection; its other keys are static and keep their old value
// with a WARNING (see reload.go). With admin_api = true a container serves
// the run-time log levels endpoint, LevelsPath (see admin.go).
//
// See docs/web.md for every configuration key and its default.
package web
