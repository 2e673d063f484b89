package otlptest_test

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/asabgo/asab/internal/otlptest"
)

// An OTLP/HTTP exporter pointed at the receiver; the spans arrive with
// their parent links. In a test, Start(t) and Wait(t, n, timeout) do the
// same with the test's failure and cleanup.
func ExampleReceiver_WaitSpans() {
	r, err := otlptest.Listen("127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	exp, _ := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(r.URL()+otlptest.TracesPath))
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp))
	ctx, parent := tp.Tracer("example").Start(context.Background(), "parent")
	_, child := tp.Tracer("example").Start(ctx, "child")
	child.End()
	parent.End()
	_ = tp.Shutdown(context.Background()) // exports what is batched

	wctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	spans, err := r.WaitSpans(wctx, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(spans[0].Name, "is a child of", spans[1].Name+":", spans[0].ParentSpanID == spans[1].SpanID)
	// Output: child is a child of parent: true
}
