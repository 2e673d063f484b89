package tracing

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// processor is the span processor between the tracer provider and the
// exporter: ended, sampled spans go into a bounded queue without ever
// waiting, and one goroutine exports them in batches. A span that finds the
// queue full is dropped and counted.
//
// It exists instead of the SDK's BatchSpanProcessor, which behaves the same
// way on a full queue, because that one does not tell how many spans it
// dropped (only through an experimental, environment-gated instrument on
// the process-wide MeterProvider), and the count is what operators need to
// see that their collector is not keeping up.
type processor struct {
	exp           sdktrace.SpanExporter
	queue         chan sdktrace.ReadOnlySpan
	batchSize     int
	batchTimeout  time.Duration
	exportTimeout time.Duration

	dropped, exported, failed atomic.Uint64
	failing                   bool            // only run's goroutine uses it
	onChange                  func(err error) // called when exports start failing (err) and work again (nil)

	flush    chan chan struct{}
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
	abort    context.CancelFunc // cancels an export in flight
	baseCtx  context.Context
}

func newProcessor(exp sdktrace.SpanExporter, s settings, onChange func(error)) *processor {
	ctx, cancel := context.WithCancel(context.Background())
	p := &processor{
		exp:           exp,
		queue:         make(chan sdktrace.ReadOnlySpan, s.queueSize),
		batchSize:     s.batchSize,
		batchTimeout:  s.batchTimeout,
		exportTimeout: s.exportTimeout,
		flush:         make(chan chan struct{}),
		stop:          make(chan struct{}),
		done:          make(chan struct{}),
		abort:         cancel,
		baseCtx:       ctx,
		onChange:      onChange,
	}
	go p.run()
	return p
}

// OnStart does nothing: spans are handled when they end.
func (p *processor) OnStart(context.Context, sdktrace.ReadWriteSpan) {}

// OnEnd queues a sampled span, or drops it when the queue is full.
func (p *processor) OnEnd(s sdktrace.ReadOnlySpan) {
	if !s.SpanContext().IsSampled() {
		return
	}
	select {
	case p.queue <- s:
	default:
		p.dropped.Add(1)
	}
}

// run exports the queued spans when a batch is full, every batchTimeout,
// on ForceFlush and at Shutdown.
func (p *processor) run() {
	defer close(p.done)
	batch := make([]sdktrace.ReadOnlySpan, 0, p.batchSize)
	tick := time.NewTicker(p.batchTimeout)
	defer tick.Stop()
	export := func() {
		for i := 0; i < len(batch); i += p.batchSize {
			p.export(batch[i:min(i+p.batchSize, len(batch))])
		}
		clear(batch) // let the exported spans be collected
		batch = batch[:0]
	}
	drain := func() {
		for {
			select {
			case s := <-p.queue:
				batch = append(batch, s)
			default:
				export()
				return
			}
		}
	}
	for {
		select {
		case s := <-p.queue:
			batch = append(batch, s)
			if len(batch) >= p.batchSize {
				export()
			}
		case <-tick.C:
			export()
		case reply := <-p.flush:
			drain()
			close(reply)
		case <-p.stop:
			drain()
			return
		}
	}
}

func (p *processor) export(spans []sdktrace.ReadOnlySpan) {
	ctx, cancel := context.WithTimeout(p.baseCtx, p.exportTimeout)
	defer cancel()
	err := p.exp.ExportSpans(ctx, spans)
	if err != nil {
		p.failed.Add(uint64(len(spans)))
	} else {
		p.exported.Add(uint64(len(spans)))
	}
	if p.baseCtx.Err() != nil {
		return // cut off by Shutdown, which reports it
	}
	if (err != nil) != p.failing {
		p.failing = err != nil
		if p.onChange != nil {
			p.onChange(err)
		}
	}
}

// ForceFlush exports what is queued and returns once it is exported, or
// with ctx's error when ctx ends first.
func (p *processor) ForceFlush(ctx context.Context) error {
	reply := make(chan struct{})
	select {
	case p.flush <- reply:
	case <-p.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-reply:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Shutdown exports what is queued and shuts the exporter down. When ctx
// ends first, the export in flight is cancelled (its spans count as
// failed), so Shutdown returns soon after ctx's deadline even when the
// endpoint does not answer. It may be called more than once.
func (p *processor) Shutdown(ctx context.Context) error {
	p.stopOnce.Do(func() { close(p.stop) })
	var err error
	select {
	case <-p.done:
	case <-ctx.Done():
		err = ctx.Err()
		p.abort()
		<-p.done
	}
	p.abort()
	return errors.Join(err, p.exp.Shutdown(ctx))
}
