package tracing

import (
	"context"

	"github.com/asabgo/asab/tracing/logtrace"
)

// IDs returns the trace id and span id of the span in ctx, in hex, as log
// lines carry them; ok is false when ctx holds no span. It is
// logtrace.IDs.
func IDs(ctx context.Context) (traceID, spanID string, ok bool) { return logtrace.IDs(ctx) }
