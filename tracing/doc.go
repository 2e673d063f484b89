// Package tracing is asab.TracingService: OpenTelemetry tracing for an
// application, so that a web request, the MOM messages it causes in other
// processes and their replies show up as one trace, and log lines carry its
// ids.
//
// Add the module before the modules it traces; it records nothing until
// [tracing] exporter is set (or OTEL_TRACES_EXPORTER):
//
//	a.AddModule(tracing.Module)
//	a.AddModule(web.Module)
//
//	[tracing]
//	exporter = otlp-http
//	endpoint = http://127.0.0.1:4318
//
// Nothing else is needed: web containers and MOM brokers look the service
// up at init-time (as "asab.TracingService"), so every request gets a
// server span, every Publish and Request a producer span whose traceparent
// travels in the message headers, and every handler a consumer span
// continued from them.
//
// # What the service gives
//
//   - TracerProvider and Propagator: the application's own provider (the
//     SDK's, or a no-op one with exporter = none) and the W3C trace context
//     and baggage propagator. The package keeps no global state; with
//     set_global = yes the service also makes them otel's globals, so that
//     code calling otel.Tracer records into the application's provider.
//   - EchoMiddleware: a server span per request, named after the route.
//   - StartPublish, StartConsume and InjectHeaders: producer and consumer
//     spans for message brokers, and the trace context in message headers
//     (see also the package functions InjectHeaders and ExtractHeaders).
//   - IDs: the trace and span id of a context, for log lines (the logging
//     package uses package logtrace, which needs only the OpenTelemetry API).
//
// # Export
//
// Ended, sampled spans go into a bounded queue (queue_size) and are
// exported in batches by one goroutine. A span that finds the queue full is
// dropped and counted (asab_tracing_spans_dropped_total), so an exporter
// that is slow or cannot reach its endpoint never holds up a request. At
// exit, Finalize exports what is queued within the shutdown deadline and
// cuts off an export still running just before the deadline passes (a
// tenth of the time left, at most 100ms), reporting how many spans were
// not exported.
//
// docs/tracing.md lists every [tracing] key, the OTEL_* variables and their
// precedence, and the span names and attributes.
package tracing
