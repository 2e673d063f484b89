package tracing

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// gateExporter records batch sizes; while gate is not nil, ExportSpans
// waits for it (or for its context) and fails with fail.
type gateExporter struct {
	mu      sync.Mutex
	batches []int
	gate    chan struct{}
	fail    error
	entered chan struct{}
}

func (g *gateExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	g.mu.Lock()
	gate, fail := g.gate, g.fail
	g.mu.Unlock()
	if gate != nil {
		select {
		case g.entered <- struct{}{}:
		default:
		}
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if fail != nil {
		return fail
	}
	g.mu.Lock()
	g.batches = append(g.batches, len(spans))
	g.mu.Unlock()
	return nil
}

func (g *gateExporter) Shutdown(context.Context) error { return nil }

func (g *gateExporter) sizes() []int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]int(nil), g.batches...)
}

func provider(p sdktrace.SpanProcessor) *sdktrace.TracerProvider {
	return sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(p))
}

func spans(tp *sdktrace.TracerProvider, n int) {
	for range n {
		_, s := tp.Tracer("t").Start(context.Background(), "s")
		s.End()
	}
}

func TestProcessorBatchesAndFlushes(t *testing.T) {
	exp := &gateExporter{}
	p := newProcessor(exp, settings{queueSize: 100, batchSize: 4, batchTimeout: time.Hour, exportTimeout: time.Second}, nil)
	tp := provider(p)
	spans(tp, 10)
	if err := tp.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := exp.sizes()
	total := 0
	for _, n := range got {
		if n > 4 {
			t.Errorf("a batch of %d spans, batch_size is 4", n)
		}
		total += n
	}
	if total != 10 {
		t.Errorf("batches %v: %d spans exported after ForceFlush, want 10", got, total)
	}
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := p.Shutdown(context.Background()); err != nil {
		t.Errorf("a second Shutdown: %v", err)
	}
	if err := p.ForceFlush(context.Background()); err != nil {
		t.Errorf("ForceFlush after Shutdown: %v", err)
	}
	if e := p.exported.Load(); e != 10 {
		t.Errorf("exported %d, want 10", e)
	}
}

// While an export hangs, a full queue drops exactly the spans that do not
// fit, and ending a span never waits.
func TestProcessorDropsWhenFull(t *testing.T) {
	exp := &gateExporter{gate: make(chan struct{}), entered: make(chan struct{}, 1)}
	p := newProcessor(exp, settings{queueSize: 3, batchSize: 1, batchTimeout: time.Hour, exportTimeout: time.Minute}, nil)
	tp := provider(p)
	spans(tp, 1)
	<-exp.entered // the first span is in the hanging export; the queue is empty
	spans(tp, 10)
	if d := p.dropped.Load(); d != 7 {
		t.Errorf("dropped %d, want 7 (10 spans, 3 fit)", d)
	}
	close(exp.gate)
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if e := p.exported.Load(); e != 4 {
		t.Errorf("exported %d, want 4", e)
	}
}

func TestProcessorShutdownCutsOffAHangingExport(t *testing.T) {
	exp := &gateExporter{gate: make(chan struct{}), entered: make(chan struct{}, 1)}
	p := newProcessor(exp, settings{queueSize: 10, batchSize: 1, batchTimeout: time.Hour, exportTimeout: time.Hour}, nil)
	tp := provider(p)
	spans(tp, 3)
	<-exp.entered
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := tp.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown: %v, want the deadline's error", err)
	}
	if f := p.failed.Load(); f != 3 {
		t.Errorf("failed %d, want 3 (the cut-off export and the two behind it)", f)
	}
}

func TestProcessorReportsFailureOnceAndRecovery(t *testing.T) {
	exp := &gateExporter{fail: errors.New("collector down")}
	var mu sync.Mutex
	var reports []error
	p := newProcessor(exp, settings{queueSize: 10, batchSize: 1, batchTimeout: time.Hour, exportTimeout: time.Second},
		func(err error) { mu.Lock(); reports = append(reports, err); mu.Unlock() })
	tp := provider(p)
	spans(tp, 3)
	tp.ForceFlush(context.Background())
	exp.mu.Lock()
	exp.fail = nil
	exp.mu.Unlock()
	spans(tp, 2)
	tp.Shutdown(context.Background())
	mu.Lock()
	defer mu.Unlock()
	if len(reports) != 2 || reports[0] == nil || reports[1] != nil {
		t.Errorf("reports %v, want the failure once and then nil", reports)
	}
	if p.failed.Load() != 3 || p.exported.Load() != 2 {
		t.Errorf("failed %d exported %d, want 3 and 2", p.failed.Load(), p.exported.Load())
	}
}

func TestProcessorSkipsUnsampled(t *testing.T) {
	exp := &gateExporter{}
	p := newProcessor(exp, settings{queueSize: 1, batchSize: 1, batchTimeout: time.Hour, exportTimeout: time.Second}, nil)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(p), sdktrace.WithSampler(sdktrace.NeverSample()))
	spans(tp, 5)
	tp.Shutdown(context.Background())
	if p.dropped.Load()+p.exported.Load() != 0 {
		t.Error("unsampled spans were queued")
	}
}
