package tracing

import (
	"errors"
	"net"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// ErrorKey is the echo context key under which a middleware inside the
// span middleware that answers a handler's error and stops it (as the web
// container does, see web.ErrorKey) leaves the error; the span of a 5xx
// response records it as an exception event.
const ErrorKey = "asab.error"

// EchoMiddleware returns an echo middleware that makes a server span of
// every request: see [NewEchoMiddleware]. With exporter = none it returns
// the next handler itself, so it costs nothing.
func (s *Service) EchoMiddleware() echo.MiddlewareFunc {
	if !s.Enabled() {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	return NewEchoMiddleware(s.tp, s.prop)
}

// NewEchoMiddleware returns an echo middleware that makes a server span of
// every request with tracers of tp. Add it with Echo.Use (not Pre: the
// route must be known).
//
// The trace context (traceparent, tracestate) and baggage of the request's
// headers are extracted with prop, so the span continues the caller's
// trace. The span is named "METHOD ROUTE" after the route pattern
// (c.Path(), such as "GET /users/:id"), never the raw path; a request that
// matched no route is named after its method alone. It carries the HTTP
// semantic-convention attributes http.request.method, http.route,
// url.path, url.scheme, server.address, server.port, client.address,
// network.peer.address, network.protocol.version, user_agent.original and
// http.response.status_code; a 5xx status marks it as an error (with
// error.type), and a 4xx does not, as the conventions say for servers.
//
// The request's context carries the span, so handlers' own spans and
// outgoing calls made with c.Request().Context() join the trace.
func NewEchoMiddleware(tp trace.TracerProvider, prop propagation.TextMapPropagator) echo.MiddlewareFunc {
	tracer := tp.Tracer(ScopeName)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			ctx := prop.Extract(req.Context(), propagation.HeaderCarrier(req.Header))
			route := c.Path()
			method, known := httpMethod(req.Method)
			name := method
			if route != "" {
				name = method + " " + route
			}
			ctx, span := tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindServer))
			returned := false
			defer func() {
				// A panic that nothing inside recovered (http.ErrAbortHandler,
				// which the web container passes on) cuts the response off:
				// an error. It is not recovered here, so its stack stays whole.
				if !returned && span.IsRecording() {
					span.SetStatus(codes.Error, "the handler panicked; the response was cut off")
					span.SetAttributes(semconv.ErrorTypeOther)
				}
				span.End()
			}()
			c.SetRequest(req.WithContext(ctx))
			if !span.IsRecording() { // sampled out: the context still carries the trace on
				return next(c)
			}
			// The attributes are set after the sampling decision, which
			// saves their cost on requests that are not sampled; none of
			// the samplers of [tracing] sampler looks at attributes.
			span.SetAttributes(requestAttributes(c, req, route, known)...)

			err := next(c)
			returned = true

			status := responseStatus(c, err)
			span.SetAttributes(semconv.HTTPResponseStatusCode(status))
			if status >= 500 {
				span.SetStatus(codes.Error, "")
				if err != nil {
					span.SetAttributes(semconv.ErrorTypeKey.String(errorType(err)))
					span.RecordError(err)
				} else {
					span.SetAttributes(semconv.ErrorTypeKey.String(strconv.Itoa(status)))
					if answered, ok := c.Get(ErrorKey).(error); ok {
						span.RecordError(answered) // answered and stopped inside, see ErrorKey
					}
				}
			}
			return err
		}
	}
}

// requestAttributes are the attributes known when the request arrives.
func requestAttributes(c echo.Context, req *http.Request, route string, knownMethod bool) []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 12)
	if knownMethod {
		attrs = append(attrs, semconv.HTTPRequestMethodKey.String(req.Method))
	} else {
		attrs = append(attrs, semconv.HTTPRequestMethodOther, semconv.HTTPRequestMethodOriginal(req.Method))
	}
	if route != "" {
		attrs = append(attrs, semconv.HTTPRoute(route))
	}
	attrs = append(attrs, semconv.URLPath(req.URL.Path), semconv.URLScheme(c.Scheme()))
	if host, port := splitHostPort(req.Host); host != "" {
		attrs = append(attrs, semconv.ServerAddress(host))
		if port > 0 {
			attrs = append(attrs, semconv.ServerPort(port))
		}
	}
	if ip := c.RealIP(); ip != "" {
		attrs = append(attrs, semconv.ClientAddress(ip))
	}
	if host, port := splitHostPort(req.RemoteAddr); host != "" {
		attrs = append(attrs, semconv.NetworkPeerAddress(host))
		if port > 0 {
			attrs = append(attrs, semconv.NetworkPeerPort(port))
		}
	}
	if req.ProtoMajor == 2 {
		attrs = append(attrs, semconv.NetworkProtocolVersion("2"))
	} else if req.ProtoMajor == 1 {
		attrs = append(attrs, semconv.NetworkProtocolVersion("1."+strconv.Itoa(req.ProtoMinor)))
	}
	if ua := req.UserAgent(); ua != "" {
		attrs = append(attrs, semconv.UserAgentOriginal(ua))
	}
	return attrs
}

// httpMethod returns the method for the span name: itself when it is one
// of the known methods, else "HTTP" (and false), as the conventions say.
func httpMethod(m string) (string, bool) {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return m, true
	}
	return "HTTP", false
}

// responseStatus is the status the client gets: the written one, or, when
// the handler returned an error that echo's error handler has not written
// yet, the error's (500 for any error that is not an *echo.HTTPError).
func responseStatus(c echo.Context, err error) int {
	res := c.Response()
	if err == nil || res.Committed {
		return res.Status
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return he.Code
	}
	return http.StatusInternalServerError
}

// errorType is error.type for an error: the *echo.HTTPError's status, else
// the error's Go type.
func errorType(err error) string {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return strconv.Itoa(he.Code)
	}
	return semconv.ErrorType(err).Value.AsString()
}

// splitHostPort splits "host:port" (or a bare host); port is 0 when absent.
func splitHostPort(hp string) (string, int) {
	host, p, err := net.SplitHostPort(hp)
	if err != nil {
		return hp, 0
	}
	port, _ := strconv.Atoi(p)
	return host, port
}
