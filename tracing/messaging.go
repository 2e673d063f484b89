package tracing

import (
	"context"
	"maps"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// The messaging systems that brokers name in StartPublish and StartConsume;
// they become the spans' messaging.system.
const (
	SystemRabbitMQ = "rabbitmq"   // mom/amqp
	SystemNATS     = "nats"       // mom/nats
	SystemLocal    = "asab-local" // mom's in-process broker
)

// HeaderCarrier adapts message headers (AMQP table values and the like) to
// OpenTelemetry's propagation.TextMapCarrier. Get accepts string and
// []byte values, which is what AMQP clients in other languages send (pika
// writes a Python str as a long string and bytes as a byte array), and
// falls back to a case-insensitive match of the key. Set writes strings.
type HeaderCarrier map[string]any

// Get returns the value of key as text, "" when it is missing or neither a
// string nor bytes.
func (h HeaderCarrier) Get(key string) string {
	v, ok := h[key]
	if !ok {
		for k, kv := range h {
			if strings.EqualFold(k, key) {
				v, ok = kv, true
				break
			}
		}
	}
	if !ok {
		return ""
	}
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return ""
}

// Set sets key to the string value.
func (h HeaderCarrier) Set(key, value string) { h[key] = value }

// Keys returns the header names.
func (h HeaderCarrier) Keys() []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	return keys
}

// InjectHeaders writes the trace context of ctx (traceparent, tracestate)
// and its baggage into a copy of headers and returns the copy; headers
// itself is not modified and may be nil. Without a span in ctx and without
// baggage it returns headers as they are.
func InjectHeaders(ctx context.Context, headers map[string]any) map[string]any {
	return inject(Propagator(), ctx, headers)
}

// ExtractHeaders returns ctx with the remote span context and baggage that
// headers carry (as a foreign client or InjectHeaders wrote them), so a
// span started from it continues the sender's trace.
func ExtractHeaders(ctx context.Context, headers map[string]any) context.Context {
	return Propagator().Extract(ctx, HeaderCarrier(headers))
}

func inject(prop propagation.TextMapPropagator, ctx context.Context, headers map[string]any) map[string]any {
	if !trace.SpanContextFromContext(ctx).IsValid() && baggage.FromContext(ctx).Len() == 0 {
		return headers
	}
	out := make(map[string]any, len(headers)+2)
	maps.Copy(out, headers)
	prop.Inject(ctx, HeaderCarrier(out))
	return out
}

// InjectHeaders is the package's InjectHeaders with the service's
// propagator; with exporter = none it returns headers as they are.
func (s *Service) InjectHeaders(ctx context.Context, headers map[string]any) map[string]any {
	if !s.Enabled() {
		return headers
	}
	return inject(s.prop, ctx, headers)
}

// StartPublish starts a producer span for a message that a broker of the
// messaging system (SystemRabbitMQ, ...) publishes with routing key target,
// and returns the span's context, the headers to send (a copy of headers
// with the span's traceparent added; headers itself is not modified) and
// the function that ends the span with the result of the publish (or of a
// Request, when the reply has come). The span is named "publish TARGET"
// and carries messaging.system, messaging.destination.name,
// messaging.operation.type = send and messaging.operation.name = publish.
//
// With exporter = none it returns ctx and headers as they are and an end
// function that does nothing.
func (s *Service) StartPublish(ctx context.Context, system, target string, headers map[string]any) (context.Context, map[string]any, func(error)) {
	if !s.Enabled() {
		return ctx, headers, noEnd
	}
	ctx, span := s.tracer.Start(ctx, "publish "+target,
		trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(
			semconv.MessagingSystemKey.String(system),
			semconv.MessagingDestinationName(target),
			semconv.MessagingOperationTypeSend,
			semconv.MessagingOperationName("publish"),
		))
	return ctx, inject(s.prop, ctx, headers), endFunc(span)
}

// StartConsume starts a consumer span for a message that a broker of the
// messaging system consumed from queue, continuing the trace its headers
// carry (its producer span is the parent), and returns the span's context,
// in which the handler runs, and the function that ends the span with the
// handler's error. The span is named "process TARGET" and carries
// messaging.system, messaging.destination.name = target,
// messaging.destination.subscription.name = queue (when not ""),
// messaging.operation.type = process and messaging.operation.name =
// process. A reply sent by the handler continues the trace when its headers
// are made with InjectHeaders from the returned context.
//
// With exporter = none it returns ctx as it is and an end function that
// does nothing.
func (s *Service) StartConsume(ctx context.Context, system, queue, target string, headers map[string]any) (context.Context, func(error)) {
	if !s.Enabled() {
		return ctx, noEnd
	}
	ctx = s.prop.Extract(ctx, HeaderCarrier(headers))
	attrs := []attribute.KeyValue{
		semconv.MessagingSystemKey.String(system),
		semconv.MessagingDestinationName(target),
		semconv.MessagingOperationTypeProcess,
		semconv.MessagingOperationName("process"),
	}
	if queue != "" {
		attrs = append(attrs, semconv.MessagingDestinationSubscriptionName(queue))
	}
	ctx, span := s.tracer.Start(ctx, "process "+target,
		trace.WithSpanKind(trace.SpanKindConsumer), trace.WithAttributes(attrs...))
	return ctx, endFunc(span)
}

func noEnd(error) {}

// endFunc ends span, marking it as an error when err is not nil.
func endFunc(span trace.Span) func(error) {
	return func(err error) {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
			span.SetAttributes(semconv.ErrorType(err))
		}
		span.End()
	}
}
