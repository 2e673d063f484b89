package tracing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/logging"
)

// ServiceName is the name under which Module registers the Service.
const ServiceName = "asab.TracingService"

// ScopeName is the instrumentation scope of the spans the framework makes
// (web requests, MOM messages).
const ScopeName = "github.com/asabgo/asab/tracing"

// Service is asab.TracingService: the application's tracer provider and
// propagator. With exporter = none the provider is OpenTelemetry's no-op
// one and the framework's instrumentation steps aside.
//
// The provider is created by Module, so that other services can take it
// (and EchoMiddleware) at any time; the exporter and its span processor are
// attached at Initialize and flushed and shut down at Finalize.
type Service struct {
	set  settings
	log  *logging.Logger
	res  *resource.Resource
	prop propagation.TextMapPropagator

	stdout io.Writer // where exporter = stdout writes; os.Stdout

	tp     trace.TracerProvider
	sdk    *sdktrace.TracerProvider // nil with exporter = none
	tracer trace.Tracer
	proc   atomic.Pointer[processor] // set at Initialize
}

func (s *Service) processor() *processor { return s.proc.Load() }

// Module is the tracing module's factory for app.Application.AddModule: it
// reads [tracing] (defaults in [Defaults], OTEL_* variables where a key is
// empty), creates the Service and registers it as "asab.TracingService".
// Add it before the modules whose work it traces (web, mom), so that it is
// finalized after them and their last spans are exported. [tracing] is
// static at a live reconfiguration: a changed key is a WARNING naming it,
// and the old value stays (the exporter is built once).
func Module(a *app.Application) (any, error) {
	a.ReloadStatic(Section)
	a.Config().AddDefaults(map[string]map[string]any{Section: Defaults()})
	set, err := readSettings(a.Config(), os.Getenv, logging.Get("asab.tracing"))
	if err != nil {
		return nil, fmt.Errorf("tracing: %w", err)
	}
	s, err := newService(context.Background(), set, a.Name(), a.Version())
	if err != nil {
		return nil, fmt.Errorf("tracing: %w", err)
	}
	if err := a.RegisterService(ServiceName, s); err != nil {
		return nil, fmt.Errorf("tracing: %w", err)
	}
	return &tracingModule{}, nil
}

// tracingModule is the value Module returns; the lifecycle belongs to the
// Service.
type tracingModule struct{}

func newService(ctx context.Context, set settings, appName, version string) (*Service, error) {
	s := &Service{
		set:    set,
		log:    logging.Get("asab.tracing"),
		prop:   Propagator(),
		stdout: os.Stdout,
	}
	if set.exporter == ExporterNone {
		s.tp = noop.NewTracerProvider()
		s.tracer = s.tp.Tracer(ScopeName)
		return s, nil
	}
	res, err := buildResource(ctx, set, appName, version)
	if err != nil {
		return nil, err
	}
	s.res = res
	s.sdk = sdktrace.NewTracerProvider(sdktrace.WithResource(res), sdktrace.WithSampler(sampler(set)))
	s.tp = s.sdk
	s.tracer = s.tp.Tracer(ScopeName)
	return s, nil
}

// Propagator returns the W3C propagator the framework uses: trace context
// (traceparent, tracestate) and baggage.
func Propagator() propagation.TextMapPropagator {
	return propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
}

// buildResource merges, each over the one before: the built-in attributes
// (service.name = the app name, service.version, host.name, process.pid,
// the SDK's), the OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME variables,
// and [tracing] resource_attributes and service_name.
func buildResource(ctx context.Context, set settings, appName, version string) (*resource.Resource, error) {
	base := []attribute.KeyValue{semconv.ServiceName(appName)}
	if version != "" {
		base = append(base, semconv.ServiceVersion(version))
	}
	builtin, err := resource.New(ctx, resource.WithAttributes(base...), resource.WithHost(),
		resource.WithProcessPID(), resource.WithTelemetrySDK())
	if err != nil {
		return nil, fmt.Errorf("resource: %w", err)
	}
	env, err := resource.New(ctx, resource.WithFromEnv())
	if err != nil {
		return nil, fmt.Errorf("environment OTEL_RESOURCE_ATTRIBUTES = %q: %w", os.Getenv("OTEL_RESOURCE_ATTRIBUTES"), err)
	}
	var own []attribute.KeyValue
	for _, kv := range set.resAttrs {
		own = append(own, attribute.String(kv[0], kv[1]))
	}
	if set.serviceName != "" {
		own = append(own, semconv.ServiceName(set.serviceName))
	}
	res, err := resource.Merge(builtin, env)
	if err != nil {
		return nil, fmt.Errorf("resource: %w", err)
	}
	if res, err = resource.Merge(res, resource.NewSchemaless(own...)); err != nil {
		return nil, fmt.Errorf("resource: %w", err)
	}
	return res, nil
}

// sampler builds the configured sampler.
func sampler(set settings) sdktrace.Sampler {
	switch set.sampler {
	case "always_on":
		return sdktrace.AlwaysSample()
	case "always_off":
		return sdktrace.NeverSample()
	case "traceidratio":
		return sdktrace.TraceIDRatioBased(set.ratio)
	case "parentbased_always_off":
		return sdktrace.ParentBased(sdktrace.NeverSample())
	case "parentbased_traceidratio":
		return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(set.ratio))
	}
	return sdktrace.ParentBased(sdktrace.AlwaysSample())
}

// newExporter creates the configured exporter. The OTLP exporters read
// their OTEL_EXPORTER_OTLP_* variables themselves; an endpoint set in
// [tracing] wins over them.
func newExporter(ctx context.Context, set settings, stdout io.Writer) (sdktrace.SpanExporter, error) {
	switch set.exporter {
	case ExporterOTLPHTTP:
		var opts []otlptracehttp.Option
		if set.endpoint != "" {
			u, _ := url.Parse(set.endpoint) // checked by readSettings
			if u.Path == "" || u.Path == "/" {
				u.Path = "/v1/traces"
			}
			opts = append(opts, otlptracehttp.WithEndpointURL(u.String()))
		}
		return otlptracehttp.New(ctx, opts...)
	case ExporterOTLPGRPC:
		var opts []otlptracegrpc.Option
		if set.endpoint != "" {
			opts = append(opts, otlptracegrpc.WithEndpointURL(set.endpoint))
		}
		return otlptracegrpc.New(ctx, opts...)
	case ExporterStdout:
		return stdouttrace.New(stdouttrace.WithWriter(stdout))
	}
	return nil, fmt.Errorf("exporter %q cannot export", set.exporter)
}

// Initialize creates the exporter and attaches the span processor, and
// with set_global = yes makes the provider and propagator otel's global
// ones. With exporter = none it only does the latter.
func (s *Service) Initialize(ctx context.Context) error {
	if s.set.setGlobal {
		otel.SetTracerProvider(s.tp)
		otel.SetTextMapPropagator(s.prop)
	}
	if s.sdk == nil {
		return nil
	}
	exp, err := newExporter(ctx, s.set, s.stdout)
	if err != nil {
		return fmt.Errorf("tracing: [%s] exporter = %q: %w", Section, s.set.exporter, err)
	}
	p := newProcessor(exp, s.set, s.onExportChange)
	s.proc.Store(p)
	s.sdk.RegisterSpanProcessor(p)
	s.log.Info().Str("exporter", s.set.exporter).Str("endpoint", s.set.endpoint).Str("sampler", s.set.sampler).
		Msg("Tracing on")
	return nil
}

// onExportChange logs when exports start failing and when they work again
// (not every failure: an unreachable collector would flood the log).
func (s *Service) onExportChange(err error) {
	if err != nil {
		s.log.Warning().Err(err).Str("exporter", s.set.exporter).
			Msg("Spans cannot be exported; they are counted in asab_tracing_spans_failed_total until exports work again")
		return
	}
	s.log.Notice().Str("exporter", s.set.exporter).Msg("Spans are exported again")
}

// Finalize exports the spans still queued and shuts the exporter down,
// within ctx's deadline (the application's shutdown deadline); what cannot
// be exported by then is dropped, and the error says how many spans that
// were. The export is cut off a little before the deadline (a tenth of the
// time left, at most 100ms), so that Finalize returns within it even when
// the endpoint never answers.
func (s *Service) Finalize(ctx context.Context) error {
	if s.sdk == nil {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok {
		margin := max(0, min(time.Until(dl)/10, 100*time.Millisecond))
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-margin))
		defer cancel()
	}
	_, _, failed := s.SpanCounts()
	if err := s.sdk.Shutdown(ctx); err != nil {
		if _, _, now := s.SpanCounts(); errors.Is(err, context.DeadlineExceeded) {
			// err joins the processor's and the exporter's ctx.Err(): one is enough.
			return fmt.Errorf("tracing: %d spans not exported by the shutdown deadline ([general] shutdown_timeout): %w",
				now-failed, context.DeadlineExceeded)
		}
		return fmt.Errorf("tracing: export the last spans and shut the exporter down: %w", err)
	}
	return nil
}

// Enabled reports whether spans are recorded (the exporter is not none).
func (s *Service) Enabled() bool { return s.sdk != nil }

// TracerProvider returns the application's tracer provider: the SDK's, or
// a no-op one with exporter = none. Take tracers from it rather than from
// otel.Tracer unless set_global is on.
func (s *Service) TracerProvider() trace.TracerProvider { return s.tp }

// Tracer returns a tracer of the application's provider.
func (s *Service) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	return s.tp.Tracer(name, opts...)
}

// Propagator returns the service's propagator (W3C trace context and
// baggage).
func (s *Service) Propagator() propagation.TextMapPropagator { return s.prop }

// Resource returns the resource the spans are exported with, nil with
// exporter = none.
func (s *Service) Resource() *resource.Resource { return s.res }
