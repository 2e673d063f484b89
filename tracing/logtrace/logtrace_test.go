package logtrace_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/rs/zerolog"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"

	"github.com/asabgo/asab/tracing/logtrace"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var sc = trace.NewSpanContext(trace.SpanContextConfig{
	TraceID:    trace.TraceID{0x0a, 0xf7, 0x65, 0x19, 0x16, 0xcd, 0x43, 0xdd, 0x84, 0x48, 0xeb, 0x21, 0x1c, 0x80, 0x31, 0x9c},
	SpanID:     trace.SpanID{0xb7, 0xad, 0x6b, 0x71, 0x69, 0x20, 0x33, 0x31},
	TraceFlags: trace.FlagsSampled,
})

func TestIDs(t *testing.T) {
	if _, _, ok := logtrace.IDs(context.Background()); ok {
		t.Error("ids from a context without a span")
	}
	tid, sid, ok := logtrace.IDs(trace.ContextWithSpanContext(context.Background(), sc))
	if !ok || tid != "0af7651916cd43dd8448eb211c80319c" || sid != "b7ad6b7169203331" {
		t.Errorf("IDs = %q %q %v", tid, sid, ok)
	}
}

func TestHook(t *testing.T) {
	var buf bytes.Buffer
	log := zerolog.New(&buf).Hook(logtrace.Hook{})
	log.Info().Ctx(trace.ContextWithSpanContext(context.Background(), sc)).Msg("with span")
	log.Info().Msg("without context")
	log.Info().Ctx(context.Background()).Msg("without span")
	dec := json.NewDecoder(&buf)
	for i, want := range []string{"0af7651916cd43dd8448eb211c80319c", "", ""} {
		var line map[string]any
		if err := dec.Decode(&line); err != nil {
			t.Fatal(err)
		}
		if got, _ := line[logtrace.TraceIDField].(string); got != want {
			t.Errorf("line %d %v: trace_id %q, want %q", i, line, got, want)
		}
		if want != "" && line[logtrace.SpanIDField] != "b7ad6b7169203331" {
			t.Errorf("line %d: span_id %v", i, line[logtrace.SpanIDField])
		}
	}
}

// A zerolog logger with the hook: an event given a context with a span
// carries its ids.
func ExampleHook() {
	log := zerolog.New(os.Stdout).Hook(logtrace.Hook{})
	ctx := trace.ContextWithSpanContext(context.Background(), sc) // a handler's request context
	log.Info().Ctx(ctx).Msg("order stored")
	// Output: {"level":"info","trace_id":"0af7651916cd43dd8448eb211c80319c","span_id":"b7ad6b7169203331","message":"order stored"}
}

func ExampleIDs() {
	ctx := trace.ContextWithSpanContext(context.Background(), sc)
	if tid, sid, ok := logtrace.IDs(ctx); ok {
		fmt.Println(tid, sid)
	}
	// Output: 0af7651916cd43dd8448eb211c80319c b7ad6b7169203331
}
