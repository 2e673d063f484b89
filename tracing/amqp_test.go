package tracing

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"
	"go.opentelemetry.io/otel/trace"
)

// A trace context through the real RabbitMQ: headers written the way a
// foreign client writes them (pika sends a Python str as an AMQP long
// string, bytes as a byte array), decoded by amqp091-go on the consumer
// side as mom/amqp does, continue the trace in StartConsume.
func TestHeadersThroughRabbitMQ(t *testing.T) {
	conn, err := amqp091.Dial("amqp://guest:guest@127.0.0.1:5672/")
	if err != nil {
		if os.Getenv("ASAB_SKIP_AMQP") == "1" {
			t.Skipf("RabbitMQ unreachable and ASAB_SKIP_AMQP=1: %v", err)
		}
		t.Fatalf("RabbitMQ at 127.0.0.1:5672 is unreachable (set ASAB_SKIP_AMQP=1 to skip): %v", err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	var b [6]byte
	_, _ = rand.Read(b[:])
	queue := "asab.tracing.test." + hex.EncodeToString(b[:])
	if _, err := ch.QueueDeclare(queue, false, true, true, false, nil); err != nil {
		t.Fatal(err)
	}
	deliveries, err := ch.Consume(queue, "", true, true, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	tp := "00-" + traceID + "-" + parentID + "-01"
	s, rec := recorded(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	for _, headers := range []amqp091.Table{
		{"traceparent": tp, "tracestate": "pika=1"}, // str
		{"traceparent": []byte(tp)},                 // bytes
	} {
		if err := ch.PublishWithContext(ctx, "", queue, false, false, amqp091.Publishing{Headers: headers, Body: []byte("x")}); err != nil {
			t.Fatal(err)
		}
		var d amqp091.Delivery
		select {
		case d = <-deliveries:
		case <-ctx.Done():
			t.Fatal("no delivery within 10 s")
		}
		hctx, end := s.StartConsume(context.Background(), SystemRabbitMQ, queue, queue, map[string]any(d.Headers))
		end(nil)
		sc := trace.SpanContextFromContext(hctx)
		if sc.TraceID().String() != traceID {
			t.Errorf("headers %#v (as delivered %#v): trace %s, want the sender's %s", headers, d.Headers, sc.TraceID(), traceID)
		}
	}
	// And back: headers made by StartPublish go through AMQP and extract.
	pctx, h, endPub := s.StartPublish(context.Background(), SystemRabbitMQ, queue, nil)
	endPub(nil)
	if err := ch.PublishWithContext(ctx, "", queue, false, false, amqp091.Publishing{Headers: amqp091.Table(h)}); err != nil {
		t.Fatal(err)
	}
	d := <-deliveries
	got := trace.SpanContextFromContext(ExtractHeaders(context.Background(), d.Headers))
	if got.SpanID() != trace.SpanContextFromContext(pctx).SpanID() {
		t.Errorf("after a round trip through RabbitMQ the parent is %s, want the publish span", got.SpanID())
	}
	for _, sp := range rec.Ended() {
		if sp.Name() == "process "+queue && sp.Parent().SpanID().String() != parentID {
			t.Errorf("consumer span parent %s, want %s", sp.Parent().SpanID(), parentID)
		}
	}
}
