// Package logtrace gives log lines the ids of the span in their context:
// IDs reads them, and Hook adds them to zerolog events as the fields
// trace_id and span_id.
//
// It depends on the OpenTelemetry API alone (no SDK, nothing of asab), so
// the logging package can use it without an import cycle and without
// linking the SDK.
package logtrace

import (
	"context"

	"github.com/rs/zerolog"
	"go.opentelemetry.io/otel/trace"
)

// The field names a log line carries the ids under.
const (
	TraceIDField = "trace_id"
	SpanIDField  = "span_id"
)

// IDs returns the trace id (32 hex digits) and span id (16 hex digits) of
// the span in ctx; ok is false when ctx holds no valid span context. A
// remote span context (extracted from headers, no local span yet) counts.
func IDs(ctx context.Context) (traceID, spanID string, ok bool) {
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() {
		return "", "", false
	}
	return sc.TraceID().String(), sc.SpanID().String(), true
}

// Hook is a zerolog.Hook that adds trace_id and span_id to an event whose
// context (set with Event.Ctx) holds a span. An event without a context is
// left alone at the cost of a comparison, one with a context without a
// span at the cost of one lookup.
type Hook struct{}

// Run implements zerolog.Hook.
func (Hook) Run(e *zerolog.Event, _ zerolog.Level, _ string) {
	ctx := e.GetCtx() // context.Background() for an event without one
	if ctx == nil || ctx == context.Background() {
		return
	}
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() {
		return
	}
	e.Str(TraceIDField, sc.TraceID().String()).Str(SpanIDField, sc.SpanID().String())
}
