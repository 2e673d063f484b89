package mom

import "context"

// TracingServiceName is the name of the tracing service (package tracing's
// asab.TracingService). At Initialize the MOM service looks it up and, when
// it is there and records spans, gives it to every broker that implements
// Traced.
const TracingServiceName = "asab.TracingService"

// Tracer makes the spans of messages: package tracing's Service implements
// it. A broker calls StartPublish around Publish and Request (a producer
// span, its context injected into the headers sent) and the Router calls
// StartConsume around a handler (a consumer span continued from the
// message's headers) and InjectHeaders for the reply, so that a request,
// its handling and its reply make one trace.
type Tracer interface {
	// StartPublish starts a producer span for a message to target on the
	// messaging system (tracing.SystemRabbitMQ, ...) and returns its
	// context, the headers to send (a copy with the trace context added)
	// and the function that ends the span with the result.
	StartPublish(ctx context.Context, system, target string, headers map[string]any) (context.Context, map[string]any, func(error))
	// StartConsume starts a consumer span for a message consumed from
	// queue ("" when not known) for target, continuing the trace that
	// headers carry, and returns the context the handler runs in and the
	// function that ends the span with the handler's error.
	StartConsume(ctx context.Context, system, queue, target string, headers map[string]any) (context.Context, func(error))
	// InjectHeaders returns a copy of headers with the trace context of
	// ctx added (headers themselves when ctx has none).
	InjectHeaders(ctx context.Context, headers map[string]any) map[string]any
}

// Traced is implemented by brokers whose messages can be traced; the MOM
// service calls SetTracer at Initialize, before the broker starts.
type Traced interface {
	// SetTracer makes the broker trace its messages with t.
	SetTracer(t Tracer)
}

// noTracer is the Tracer of a broker that was given none: it passes
// everything through and records nothing.
type noTracer struct{}

func (noTracer) StartPublish(ctx context.Context, _, _ string, h map[string]any) (context.Context, map[string]any, func(error)) {
	return ctx, h, noEnd
}

func (noTracer) StartConsume(ctx context.Context, _, _, _ string, _ map[string]any) (context.Context, func(error)) {
	return ctx, noEnd
}

func (noTracer) InjectHeaders(_ context.Context, h map[string]any) map[string]any { return h }

func noEnd(error) {}

// tracerBox holds a Router's tracer and the messaging system it names.
type tracerBox struct {
	t      Tracer
	system string
}

// SetTracer makes Dispatch run handlers in consumer spans of t, naming the
// messaging system system ("rabbitmq", "nats", "asab-local"), and put the
// handler's trace context into the reply's headers. Brokers call it from
// their SetTracer; a nil t turns tracing off.
func (r *Router) SetTracer(t Tracer, system string) {
	if t == nil {
		r.tracer.Store(nil)
		return
	}
	r.tracer.Store(&tracerBox{t: t, system: system})
}

// Tracer returns the tracer given to SetTracer, or one that records
// nothing; brokers use it for their producer spans.
func (r *Router) Tracer() Tracer {
	if b := r.tracer.Load(); b != nil {
		return b.t
	}
	return noTracer{}
}

func (r *Router) tracing() (Tracer, string) {
	if b := r.tracer.Load(); b != nil {
		return b.t, b.system
	}
	return noTracer{}, ""
}
