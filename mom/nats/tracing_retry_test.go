package nats_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/internal/otlptest"
	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/tracing"
)

// A message whose handler asks to retry on its last attempt, on a
// subscription without a dead-letter exchange: the broker's line that it
// is dropped carries the handler's trace ids.
func TestRetriesExhaustedLineCarriesIDs(t *testing.T) {
	needServer(t)
	recv := otlptest.Start(t)
	logPath := t.TempDir() + "/log.json"
	conf := asabtest.JSONLogConfig(logPath) + fmt.Sprintf("[tracing]\nexporter=otlp-http\nendpoint=%s\n", recv.URL())
	r := asabtest.New(t, conf).AddModule(tracing.Module).Start()
	ts := asabtest.Service[*tracing.Service](t, r)

	sp := newSpace(t, testURL)
	b := newBroker(t, sp.config(testURL))
	b.SetTracer(ts)
	target := sp.prefix + ".busy"
	inHandler := make(chan trace.SpanContext, 1)
	if err := b.Add(target, func(ctx context.Context, _ *mom.Message) ([]byte, error) {
		inHandler <- trace.SpanContextFromContext(ctx)
		return nil, mom.Retry(errors.New("busy"))
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := b.Subscribe(ctx, target, mom.SubscribeOptions{Retry: mom.RetryPolicy{MaxAttempts: 1}}); err != nil {
		t.Fatal(err)
	}
	if err := b.Publish(ctx, []byte("x"), target, mom.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	var sc trace.SpanContext
	select {
	case sc = <-inHandler:
	case <-ctx.Done():
		t.Fatal("the handler did not run within 20 s")
	}
	const msg = "Retries exhausted and the subscription has no dead-letter exchange; message dropped"
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		for _, l := range asabtest.ReadLog(t, logPath, "asab.mom.nats") {
			if l.Message != msg {
				continue
			}
			if l.Fields["trace_id"] != sc.TraceID().String() || l.Fields["span_id"] != sc.SpanID().String() {
				t.Errorf("%q: trace_id %v span_id %v, want %s %s", msg, l.Fields["trace_id"], l.Fields["span_id"], sc.TraceID(), sc.SpanID())
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no line %q within 10 s", msg)
		}
	}
}
