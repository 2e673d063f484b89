package amqp_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"
	"go.opentelemetry.io/otel/trace"

	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/internal/otlptest"
	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/amqp"
	"github.com/asabgo/asab/tracing"
)

// A request whose handler asks to retry on its last attempt: the broker's
// line about the message ("Retries exhausted; ...") carries the handler's
// trace ids, and the error reply, like any reply, continues the trace
// from the consumer span.
func TestRetriesExhaustedKeepTheTrace(t *testing.T) {
	needServer(t)
	logPath := t.TempDir() + "/log.json"
	recv := otlptest.Start(t)
	conf := asabtest.JSONLogConfig(logPath) + fmt.Sprintf("[tracing]\nexporter=otlp-http\nendpoint=%s\n", recv.URL())
	r := asabtest.New(t, conf).AddModule(tracing.Module).Start()
	ts := asabtest.Service[*tracing.Service](t, r)

	b := newBroker(t, amqp.Config{})
	b.SetTracer(ts)
	queue := unique("asab.test.traceretry")
	deleteLater(t, queue, "")
	inHandler := make(chan trace.SpanContext, 1)
	if err := b.Add(queue, func(ctx context.Context, m *mom.Message) ([]byte, error) {
		inHandler <- trace.SpanContextFromContext(ctx)
		return nil, mom.Retry(errors.New("busy"))
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := b.Subscribe(ctx, queue, mom.SubscribeOptions{Retry: mom.RetryPolicy{MaxAttempts: 1}}); err != nil {
		t.Fatal(err)
	}
	ch := rawChannel(t)
	rq, err := ch.QueueDeclare("", false, true, true, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	replies, err := ch.Consume(rq.Name, "", true, true, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	err = ch.PublishWithContext(ctx, "", queue, false, false, amqp091.Publishing{
		Body: []byte("hi"), ReplyTo: rq.Name, CorrelationId: "retry-1",
		Headers: amqp091.Table{"traceparent": "00-" + traceID + "-00f067aa0ba902b7-01"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var reply amqp091.Delivery
	select {
	case reply = <-replies:
	case <-ctx.Done():
		t.Fatal("no reply within 20 s")
	}
	sc := <-inHandler
	if _, ok := reply.Headers[mom.ErrorHeader]; !ok {
		t.Fatalf("reply headers %v, want an error reply", reply.Headers)
	}
	if tp := fmt.Sprint(reply.Headers["traceparent"]); tp != "00-"+traceID+"-"+sc.SpanID().String()+"-01" {
		t.Errorf("the error reply's traceparent is %q, want the consumer span %s", tp, sc.SpanID())
	}
	r.Stop()
	var found bool
	for _, l := range asabtest.ReadLog(t, logPath, "asab.mom.amqp") {
		if l.Message != "Retries exhausted; message dropped: the subscription has no dead-letter exchange" {
			continue
		}
		found = true
		if l.Fields["trace_id"] != traceID || l.Fields["span_id"] != sc.SpanID().String() {
			t.Errorf("%q: trace_id %v span_id %v, want %s %s", l.Message, l.Fields["trace_id"], l.Fields["span_id"], traceID, sc.SpanID())
		}
	}
	if !found {
		t.Error("no 'Retries exhausted' line")
	}
}
