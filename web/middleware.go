package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/asabgo/asab/logging"
)

// A container's middleware, one concern each; newContainer adds them in
// the order the package doc gives. A handler error is answered by echo's
// error handler (yours, if you set one) as soon as a middleware needs the
// status, so the metrics and the access log read the status that was
// sent; answerErrors then stops the error, so the error handler is not
// called a second time at the end of the chain.

// serverHeader sets the Server header of every response to value.
func serverHeader(value string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Response().Header().Set(echo.HeaderServer, value)
			return next(c)
		}
	}
}

// TracingServiceName is the name of the tracing service (package
// tracing's asab.TracingService); a container that finds it at Initialize
// makes a server span of every request with its EchoMiddleware.
const TracingServiceName = "asab.TracingService"

// useTracing takes the tracing service's middleware, when the application
// has a tracing service.
func (c *Container) useTracing() {
	v, _ := c.app.Registry().Lookup(TracingServiceName)
	if ts, ok := v.(interface{ EchoMiddleware() echo.MiddlewareFunc }); ok {
		mw := ts.EchoMiddleware()
		c.tracing.Store(&mw)
	}
}

// trace is the outermost middleware: the tracing service's server span
// (see useTracing), or nothing. echo applies middleware to every request,
// so the span's middleware can be found after the routes were added.
func (c *Container) trace(next echo.HandlerFunc) echo.HandlerFunc {
	if mw := c.tracing.Load(); mw != nil {
		return (*mw)(next)
	}
	return next
}

// answer has echo's error handler answer err now, unless the response has
// been written already, so that the status read after it is the one sent.
func answer(c echo.Context, err error) {
	if err != nil && !c.Response().Committed {
		c.Error(err)
	}
}

// ErrorKey is the echo context key under which a container leaves a
// handler's error (or a recovered panic's) once it has answered it and
// stopped it, so that the tracing service's span middleware, which sees
// no error returned, still records it on the request's span. Package
// tracing declares the same key.
const ErrorKey = "asab.error"

// answerErrors answers a handler error (see answer), logs one answered
// with a 5xx status at ERROR on log, and stops the error there, leaving it
// under ErrorKey for the span middleware outside.
func answerErrors(log *logging.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			if err == nil {
				return nil
			}
			answer(c, err)
			c.Set(ErrorKey, err)
			if status := c.Response().Status; status >= 500 {
				req := c.Request()
				log.Error().Ctx(req.Context()).Err(err).Int("status", status).Str("method", req.Method).
					Str("path", req.URL.Path).Msg("Request failed")
			}
			return nil
		}
	}
}

// accessLog writes the access log with echo's RequestLogger: one NOTICE
// line per request on al, with method, path (without the query), status
// (the one sent, see answer), bytes (of the response body), duration (in
// seconds), the client IP (echo's IPExtractor), for a handler error,
// error, and, when the request's context holds a span (see trace),
// trace_id and span_id (added by the logging package's hook, see
// logging.Get). A request is skipped, at no cost, while al's
// NOTICE is filtered out.
func accessLog(al *logging.Logger) echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		Skipper:   func(echo.Context) bool { return !al.Enabled(logging.LevelNotice) },
		LogMethod: true, LogURIPath: true, LogStatus: true, LogResponseSize: true,
		LogLatency: true, LogRemoteIP: true, LogError: true,
		HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			ev := al.Notice()
			if ev == nil {
				return nil
			}
			ev = ev.Str("method", v.Method).Str("path", v.URIPath).Int("status", v.Status).
				Int64("bytes", v.ResponseSize).Float64("duration", v.Latency.Seconds()).Str("ip", v.RemoteIP)
			if v.Error != nil {
				ev = ev.Str("error", v.Error.Error())
			}
			ev.Ctx(c.Request().Context()).Send() // logging's hook adds the span's ids
			return nil
		},
	})
}

// recoverPanics turns a handler panic into a 500 error with echo's
// Recover, counting it on panics and logging the panic value and the stack
// at ERROR on log (with the request's trace ids, as every line about it). http.ErrAbortHandler is passed on: it is net/http's way
// to abort a response on purpose.
func recoverPanics(log *logging.Logger, panics prometheus.Counter) echo.MiddlewareFunc {
	return middleware.RecoverWithConfig(middleware.RecoverConfig{
		StackSize:           64 << 10,
		DisableStackAll:     true, // the panicking goroutine's stack only
		DisableErrorHandler: true, // answered by answerErrors, with the status logged
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			panics.Inc()
			req := c.Request()
			log.Error().Ctx(req.Context()).Str("method", req.Method).Str("path", req.URL.Path).
				Str("panic", err.Error()).Str("stack", string(stack)).Msg("Handler panicked; answered 500")
			return echo.NewHTTPError(http.StatusInternalServerError).SetInternal(err)
		},
	})
}

// bodyLimit answers 413 to a request body over limit bytes with echo's
// BodyLimit: by its Content-Length at once, or, for a body of unknown
// length, when reading passes the limit.
func bodyLimit(limit int64) echo.MiddlewareFunc {
	return middleware.BodyLimit(strconv.FormatInt(limit, 10))
}
