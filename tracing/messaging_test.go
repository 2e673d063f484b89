package tracing

import (
	"context"
	"errors"
	"testing"

	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// momTracer is the hook interface the mom package declares (see
// docs/tracing.md); the Service must satisfy it without mom importing this
// package.
type momTracer interface {
	StartPublish(ctx context.Context, system, target string, headers map[string]any) (context.Context, map[string]any, func(error))
	StartConsume(ctx context.Context, system, queue, target string, headers map[string]any) (context.Context, func(error))
	InjectHeaders(ctx context.Context, headers map[string]any) map[string]any
}

var _ momTracer = (*Service)(nil)

// A request published in one trace, consumed, and answered: the producer
// span is the consumer's parent, the reply's headers carry the consumer
// span, and everything shares one trace id.
func TestPublishConsumeReplyChain(t *testing.T) {
	s, rec := recorded(t)
	root, rootSpan := s.Tracer("test").Start(context.Background(), "GET /orders")
	user := map[string]any{"x-user": "kept"}

	pctx, headers, endPub := s.StartPublish(root, SystemRabbitMQ, "orders.create", user)
	if _, ok := user["traceparent"]; ok {
		t.Error("StartPublish wrote into the caller's headers")
	}
	if headers["x-user"] != "kept" || headers["traceparent"] == nil {
		t.Fatalf("published headers %v: want x-user kept and a traceparent", headers)
	}

	// The consumer side, as a broker's dispatch does it.
	cctx, endCons := s.StartConsume(context.Background(), SystemRabbitMQ, "orders", "orders.create", headers)
	_, child := s.Tracer("handler").Start(cctx, "db insert")
	child.End()
	replyHeaders := s.InjectHeaders(cctx, nil)
	endCons(nil)

	// The requester receives the reply and ends its publish span.
	rctx := ExtractHeaders(context.Background(), replyHeaders)
	endPub(nil)
	rootSpan.End()

	pub := byName(t, rec, "publish orders.create")
	cons := byName(t, rec, "process orders.create")
	db := byName(t, rec, "db insert")
	tid := rootSpan.SpanContext().TraceID()
	for _, sp := range []interface {
		SpanContext() trace.SpanContext
		Name() string
	}{pub, cons, db} {
		if sp.SpanContext().TraceID() != tid {
			t.Errorf("span %q: trace %s, want %s", sp.Name(), sp.SpanContext().TraceID(), tid)
		}
	}
	if pub.Parent().SpanID() != rootSpan.SpanContext().SpanID() {
		t.Error("the publish span's parent is not the request's span")
	}
	if cons.Parent().SpanID() != pub.SpanContext().SpanID() || !cons.Parent().IsRemote() {
		t.Errorf("the consumer span's parent is %v, want the remote publish span %s", cons.Parent().SpanID(), pub.SpanContext().SpanID())
	}
	if db.Parent().SpanID() != cons.SpanContext().SpanID() {
		t.Error("the handler's span is not a child of the consumer span")
	}
	if got := trace.SpanContextFromContext(rctx); got.TraceID() != tid || got.SpanID() != cons.SpanContext().SpanID() {
		t.Errorf("the reply carries %s/%s, want the consumer span %s/%s", got.TraceID(), got.SpanID(), tid, cons.SpanContext().SpanID())
	}
	if trace.SpanContextFromContext(pctx).SpanID() != pub.SpanContext().SpanID() {
		t.Error("StartPublish's context does not hold the publish span")
	}
	if pub.SpanKind() != trace.SpanKindProducer || cons.SpanKind() != trace.SpanKindConsumer {
		t.Errorf("kinds %v and %v, want producer and consumer", pub.SpanKind(), cons.SpanKind())
	}
	checkAttrs(t, pub, map[string]string{
		"messaging.system": "rabbitmq", "messaging.destination.name": "orders.create",
		"messaging.operation.type": "send", "messaging.operation.name": "publish",
	})
	checkAttrs(t, cons, map[string]string{
		"messaging.system": "rabbitmq", "messaging.destination.name": "orders.create",
		"messaging.destination.subscription.name": "orders",
		"messaging.operation.type":                "process", "messaging.operation.name": "process",
	})
}

func TestConsumeErrorMarksSpan(t *testing.T) {
	s, rec := recorded(t)
	_, end := s.StartConsume(context.Background(), SystemNATS, "", "jobs", nil)
	end(errors.New("boom"))
	sp := byName(t, rec, "process jobs")
	if sp.Status().Code != codes.Error || sp.Status().Description != "boom" {
		t.Errorf("status %+v, want an error with the message", sp.Status())
	}
	if sp.Parent().IsValid() {
		t.Error("a message without headers got a parent")
	}
	checkAttrs(t, sp, map[string]string{"messaging.system": "nats", "error.type": "*errors.errorString"})
	if _, ok := attrs(sp)["messaging.destination.subscription.name"]; ok {
		t.Error("subscription name set for an empty queue name")
	}
}

// Headers as a foreign AMQP client (pika) sets them: a str value arrives
// as a string, a bytes value as []byte, the key perhaps capitalised.
func TestForeignClientHeaders(t *testing.T) {
	const tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	for name, h := range map[string]map[string]any{
		"string":      {"traceparent": tp, "tracestate": "vendor=1"},
		"bytes":       {"traceparent": []byte(tp)},
		"capitalised": {"Traceparent": tp},
	} {
		t.Run(name, func(t *testing.T) {
			s, rec := recorded(t)
			_, end := s.StartConsume(context.Background(), SystemRabbitMQ, "q", "t", h)
			end(nil)
			sp := byName(t, rec, "process t")
			if sp.SpanContext().TraceID().String() != "0af7651916cd43dd8448eb211c80319c" ||
				sp.Parent().SpanID().String() != "b7ad6b7169203331" {
				t.Errorf("trace %s parent %s: the pika trace was not continued", sp.SpanContext().TraceID(), sp.Parent().SpanID())
			}
			if name == "string" && sp.SpanContext().TraceState().Get("vendor") != "1" {
				t.Errorf("tracestate %q not carried", sp.SpanContext().TraceState())
			}
		})
	}
}

func TestHeaderCarrierIgnoresOtherTypes(t *testing.T) {
	h := HeaderCarrier{"traceparent": 42, "n": int64(1)}
	if h.Get("traceparent") != "" || h.Get("missing") != "" {
		t.Error("a non-text value was read as text")
	}
	if ctx := ExtractHeaders(context.Background(), h); trace.SpanContextFromContext(ctx).IsValid() {
		t.Error("a span context was extracted from a number")
	}
	if len(h.Keys()) != 2 {
		t.Errorf("keys %v", h.Keys())
	}
}

func TestInjectHeadersBaggageAndNothing(t *testing.T) {
	if got := InjectHeaders(context.Background(), nil); got != nil {
		t.Errorf("nothing to inject, got %v", got)
	}
	m, _ := baggage.NewMember("tenant", "acme")
	b, _ := baggage.New(m)
	h := InjectHeaders(baggage.ContextWithBaggage(context.Background(), b), nil)
	if h["baggage"] != "tenant=acme" {
		t.Errorf("headers %v, want baggage tenant=acme", h)
	}
	if got := baggage.FromContext(ExtractHeaders(context.Background(), h)).Member("tenant").Value(); got != "acme" {
		t.Errorf("extracted baggage tenant=%q", got)
	}
}

func TestDisabledServiceDoesNothing(t *testing.T) {
	s, err := newService(context.Background(), settings{exporter: ExporterNone}, "a", "")
	if err != nil {
		t.Fatal(err)
	}
	h := map[string]any{"a": "b"}
	ctx := context.Background()
	c2, h2, end := s.StartPublish(ctx, SystemLocal, "t", h)
	end(nil)
	c3, end2 := s.StartConsume(ctx, SystemLocal, "q", "t", map[string]any{"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"})
	end2(nil)
	if c2 != ctx || c3 != ctx || len(h2) != 1 || s.Enabled() {
		t.Error("the disabled service changed the context or the headers")
	}
	if d, e, f := s.SpanCounts(); d+e+f != 0 {
		t.Error("counts without an exporter")
	}
}

func FuzzExtractHeaders(f *testing.F) {
	f.Add("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "vendor=1", "k=v")
	f.Add("00-00000000000000000000000000000000-b7ad6b7169203331-01", "", "")
	f.Add("ff-zz", ",,=", "%%")
	f.Fuzz(func(t *testing.T, traceparent, tracestate, bag string) {
		ctx := ExtractHeaders(context.Background(), map[string]any{
			"traceparent": traceparent, "tracestate": []byte(tracestate), "baggage": bag})
		sc := trace.SpanContextFromContext(ctx)
		if !sc.IsValid() {
			return
		}
		// A valid context goes out again as a traceparent of the same ids.
		out := InjectHeaders(ctx, nil)
		back := trace.SpanContextFromContext(ExtractHeaders(context.Background(), out))
		if back.TraceID() != sc.TraceID() || back.SpanID() != sc.SpanID() {
			t.Fatalf("%q: re-injected as %v", traceparent, out)
		}
	})
}
