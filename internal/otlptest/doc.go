// Package otlptest is a real OTLP trace receiver for tests. Start runs an
// HTTP server on 127.0.0.1 (a free port) that accepts POST /v1/traces with
// a protobuf ExportTraceServiceRequest body, gzip-compressed or not;
// StartGRPC runs the OTLP/gRPC TraceService. Both decode the requests with
// go.opentelemetry.io/proto/otlp and keep the spans, so that a test can
// point an exporter (or a whole application) at URL, wait for spans and
// inspect their ids, parents, names, attributes and resource attributes.
//
// It also has Silent, a TCP listener that accepts connections and never
// answers, for tests of an exporter whose endpoint does not respond.
//
// The receiver does not accept OTLP/JSON: its byte fields are hex strings,
// which protojson does not decode, and no test here needs it.
package otlptest
