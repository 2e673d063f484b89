package amqp_test

import (
	"context"
	"fmt"
	"strings"
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

// A trace started by a foreign AMQP client (amqp091 used directly, the
// traceparent header an AMQP string, as pika sends a Python str) continues
// in the asab consumer: the handler runs in a consumer span of the
// client's trace, a child of the client's span, and the reply's
// traceparent names that consumer span.
func TestForeignTraceparentContinues(t *testing.T) {
	needServer(t)
	recv := otlptest.Start(t)
	conf := asabtest.JSONLogConfig(t.TempDir()+"/log.json") +
		fmt.Sprintf("[tracing]\nexporter=otlp-http\nendpoint=%s\nbatch_timeout=100ms\n", recv.URL())
	r := asabtest.New(t, conf).AddModule(tracing.Module).Start()
	ts := asabtest.Service[*tracing.Service](t, r)

	b := newBroker(t, amqp.Config{})
	b.SetTracer(ts)
	queue := unique("asab.test.trace")
	deleteLater(t, queue, "")
	inHandler := make(chan trace.SpanContext, 1)
	if err := b.Add(queue, func(ctx context.Context, m *mom.Message) ([]byte, error) {
		inHandler <- trace.SpanContextFromContext(ctx)
		return []byte(strings.ToUpper(string(m.Body))), nil
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := b.Subscribe(ctx, queue, mom.SubscribeOptions{}); err != nil {
		t.Fatal(err)
	}

	// The foreign client: its own reply queue, a request with traceparent.
	ch := rawChannel(t)
	rq, err := ch.QueueDeclare("", false, true, true, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	replies, err := ch.Consume(rq.Name, "", true, true, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	err = ch.PublishWithContext(ctx, "", queue, false, false, amqp091.Publishing{
		Body: []byte("hi"), ReplyTo: rq.Name, CorrelationId: "foreign-1",
		Headers: amqp091.Table{"traceparent": "00-" + traceID + "-" + parentID + "-01"},
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
	if string(reply.Body) != "HI" || reply.CorrelationId != "foreign-1" {
		t.Fatalf("reply %q for %q", reply.Body, reply.CorrelationId)
	}
	sc := <-inHandler
	if sc.TraceID().String() != traceID {
		t.Errorf("the handler runs in trace %s, want the client's %s", sc.TraceID(), traceID)
	}
	tp, _ := reply.Headers["traceparent"].(string)
	if want := "00-" + traceID + "-" + sc.SpanID().String() + "-01"; tp != want {
		t.Errorf("the reply's traceparent is %q, want %q (the consumer span)", tp, want)
	}
	sp := recv.Wait(t, 1, 10*time.Second)[0]
	if sp.Name != "process "+queue || sp.TraceID != traceID || sp.ParentSpanID != parentID || sp.SpanID != sc.SpanID().String() {
		t.Errorf("exported span %+v: want process %s in trace %s with parent %s", sp, queue, traceID, parentID)
	}
	if sp.Kind != "SPAN_KIND_CONSUMER" || sp.Attributes["messaging.system"] != "rabbitmq" || sp.Attributes["messaging.destination.name"] != queue ||
		sp.Attributes["messaging.destination.subscription.name"] != queue {
		t.Errorf("exported span %+v", sp)
	}
}
