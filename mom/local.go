package mom

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/asabgo/asab/logging"
	"github.com/asabgo/asab/mom/internal/counts"
)

// LocalOptions configure a LocalBroker.
type LocalOptions struct {
	// Prefetch is how many messages of one subscription are handled at
	// once (AMQP's prefetch_count). Default 10.
	Prefetch int
	// RequestTimeout bounds Request when its ctx has no deadline. Default 10 s.
	RequestTimeout time.Duration
	// ReplyExchange is where replies are published ("" = default exchange).
	ReplyExchange string
	// Exchange is where Publish sends when PublishOptions.Exchange is "".
	Exchange string
	// Logger to use; default "asab.mom".
	Logger *logging.Logger
}

// LocalBroker is the in-process Broker: the same contract and the same
// acknowledgement semantics as the AMQP broker, with no server. It is the
// default broker of MOMService, and what examples and unit tests run on.
type LocalBroker struct {
	hub      *hub
	log      *logging.Logger
	router   Router
	corr     *Correlator
	prefetch int
	timeout  time.Duration
	replyEx  string
	pubEx    string
	counts   counts.Counters

	// hctx is the handlers' context, cancelled when Close's deadline passes.
	hctx    context.Context
	hcancel context.CancelFunc
	workers sync.WaitGroup

	mu         sync.Mutex
	closed     bool
	subs       []*localSub
	replyQueue *localQueue
	inflight   map[*Message]*localQueue
	delayed    map[*Message]*delayedRetry // waiting for their retry delay
}

// delayedRetry is a message waiting for its retry delay before it goes
// back to its queue.
type delayedRetry struct {
	queue *localQueue
	timer *time.Timer
}

type localSub struct {
	queue   *localQueue
	stopped bool // guarded by the hub's mutex
}

var (
	_ Broker              = (*LocalBroker)(nil)
	_ Traced              = (*LocalBroker)(nil)
	_ counts.Instrumented = (*LocalBroker)(nil)
)

// localSystem is the messaging system the in-process broker's spans name
// (package tracing's SystemLocal).
const localSystem = "asab-local"

// NewLocalBroker returns an in-process broker with an in-memory server of
// its own; Connect makes more brokers on that server.
func NewLocalBroker(opts LocalOptions) *LocalBroker { return newLocal(newHub(), opts) }

// Connect returns another in-process broker on the same in-memory server
// as b: the two share queues and exchanges as two connections to one AMQP
// server do (competing consumers on a queue, fan-out through an exchange),
// as several instances of a service would. Closing one leaves the other
// working.
func (b *LocalBroker) Connect(opts LocalOptions) *LocalBroker { return newLocal(b.hub, opts) }

func newLocal(h *hub, opts LocalOptions) *LocalBroker {
	if opts.Prefetch <= 0 {
		opts.Prefetch = 10
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 10 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = logging.Get("asab.mom")
	}
	ctx, cancel := context.WithCancel(context.Background())
	b := &LocalBroker{hub: h, log: opts.Logger, corr: NewCorrelator(), prefetch: opts.Prefetch,
		timeout: opts.RequestTimeout, replyEx: opts.ReplyExchange, pubEx: opts.Exchange, hctx: ctx, hcancel: cancel,
		inflight: make(map[*Message]*localQueue), delayed: make(map[*Message]*delayedRetry)}
	b.counts.SetConnected(true)
	return b
}

// Counters returns the broker's message counts, which the MOM service
// exposes as its asab_mom_* metrics.
func (b *LocalBroker) Counters() *counts.Counters { return &b.counts }

// QueueLen returns the number of messages waiting in the named queue of
// b's in-memory server (not counting those being handled), or -1 when
// there is no such queue.
func (b *LocalBroker) QueueLen(name string) int { return b.hub.queueLen(name) }

// SetTracer makes the broker trace its messages with t: a producer span
// per Publish and Request, a consumer span per handler (it implements
// Traced).
func (b *LocalBroker) SetTracer(t Tracer) { b.router.SetTracer(t, localSystem) }

// Publish routes a copy of body to the queues the exchange routes target to.
// A message that no queue takes is dropped, as on an AMQP server.
func (b *LocalBroker) Publish(ctx context.Context, body []byte, target string, opts PublishOptions) error {
	ctx, headers, end := b.router.Tracer().StartPublish(ctx, localSystem, target, opts.Headers)
	opts.Headers = headers
	err := b.publishCounted(ctx, body, target, opts)
	end(err)
	return err
}

// publishCounted is Publish without its span.
func (b *LocalBroker) publishCounted(ctx context.Context, body []byte, target string, opts PublishOptions) error {
	err := b.publish(ctx, body, target, opts)
	b.counts.Published(target, err)
	return err
}

func (b *LocalBroker) publish(ctx context.Context, body []byte, target string, opts PublishOptions) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mom: publish to %q: %w", target, err)
	}
	if b.isClosed() {
		return fmt.Errorf("mom: publish to %q: %w", target, ErrClosed)
	}
	if opts.Exchange == "" {
		opts.Exchange = b.pubEx
	}
	m := &Message{Body: append([]byte(nil), body...), Target: target, Exchange: opts.Exchange,
		ContentType: opts.ContentType, ContentEncoding: opts.ContentEncoding, CorrelationID: opts.CorrelationID,
		ReplyTo: opts.ReplyTo, Headers: maps.Clone(opts.Headers), Persistent: opts.Persistent}
	if b.hub.route(opts.Exchange, target, m) == 0 {
		b.counts.Unroutable(target)
		b.log.Debug().Str("exchange", opts.Exchange).Str("target", target).Msg("Message routed to no queue; dropped")
	}
	return nil
}

// Subscribe starts Prefetch workers consuming the queue.
func (b *LocalBroker) Subscribe(ctx context.Context, queue string, opts SubscribeOptions) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mom: subscribe %q: %w", queue, err)
	}
	if opts.Exchange == "" && queue == "" {
		return errors.New("mom: subscribe: a queue name or an exchange is required")
	}
	name := queue
	if opts.Exchange != "" {
		name = "" // an exclusive, auto-delete queue per subscriber
		if queue != "" {
			name = queue
		}
	}
	q, err := b.hub.declareQueue(name, opts.DeadLetterExchange)
	if err != nil {
		return err
	}
	if opts.Exchange != "" {
		q.exclusive = true
		for _, k := range opts.RoutingKeys {
			b.hub.bind(opts.Exchange, k, q)
		}
	}
	label := counts.QueueLabel(queue, opts.Exchange)
	return b.consume(q, b.prefetch, func(q *localQueue, m *Message) { b.handle(q, queue, label, opts.Retry, m) })
}

// consume starts n workers on q that call fn for each message.
func (b *LocalBroker) consume(q *localQueue, n int, fn func(*localQueue, *Message)) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrClosed
	}
	s := &localSub{queue: q}
	b.subs = append(b.subs, s)
	for range n {
		b.workers.Add(1)
		go func() {
			defer b.workers.Done()
			for {
				m := b.hub.take(q, &s.stopped)
				if m == nil {
					return
				}
				fn(q, m)
			}
		}()
	}
	return nil
}

// handle dispatches one message and settles it, unless Close already
// requeued it. A Retry waits out the policy's delay off the queue; on the
// last attempt, and on a handler's error, the message goes to the queue's
// dead-letter exchange with LastErrorHeader.
func (b *LocalBroker) handle(q *localQueue, queue, label string, policy RetryPolicy, m *Message) {
	b.counts.Consumed(label)
	b.mu.Lock()
	m.Attempt++
	b.inflight[m] = q
	b.mu.Unlock()
	out := b.router.DispatchFrom(b.hctx, queue, m, b.log)
	out = ApplyRetry(out, policy, m.Attempt, m, b.log)
	b.mu.Lock()
	_, mine := b.inflight[m]
	delete(b.inflight, m)
	b.mu.Unlock()
	if !mine {
		b.counts.Requeued(label)
		return // requeued by Close: the handler was cut off
	}
	if out.NoHandler {
		b.counts.Dropped(label)
	}
	if out.Reply != nil {
		b.hub.route(b.replyEx, out.Reply.Target, out.Reply)
		b.counts.Published(counts.ReplyTarget, nil)
	}
	switch out.Action {
	case Ack:
		b.counts.Acked(label)
	case Requeue:
		b.counts.Requeued(label)
		if out.Delay > 0 {
			b.requeueLater(q, m, out.Delay)
		} else {
			b.hub.requeue(q, m)
		}
	case Reject, DeadLetter:
		b.counts.Rejected(label)
		b.deadLetter(q, label, m, out)
	}
}

// requeueLater puts m back on q after delay; Close puts it back at once.
func (b *LocalBroker) requeueLater(q *localQueue, m *Message, delay time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		b.hub.requeue(q, m)
		return
	}
	d := &delayedRetry{queue: q}
	d.timer = time.AfterFunc(delay, func() {
		b.mu.Lock()
		_, waiting := b.delayed[m]
		delete(b.delayed, m)
		b.mu.Unlock()
		if waiting {
			b.hub.requeue(q, m)
		}
	})
	b.delayed[m] = d
}

// deadLetter routes a rejected or exhausted message to q's dead-letter
// exchange as a fresh message with the handler's last error in
// LastErrorHeader, or logs that it is dropped when q has none.
func (b *LocalBroker) deadLetter(q *localQueue, label string, m *Message, out Outcome) {
	if q.dlx == "" {
		if out.Action == DeadLetter { // a Reject was logged by the router already
			b.log.Warning().Ctx(out.Ctx).Str("queue", q.name).Str("target", m.Target).Msg("Retries exhausted and the queue has no dead-letter exchange; message dropped")
		}
		return
	}
	dead := *m
	dead.Exchange, dead.Redelivered, dead.Attempt = q.dlx, false, 0
	dead.Headers = DeadLetterHeaders(m.Headers, out.Err, m.Attempt)
	b.counts.DeadLettered(label)
	if b.hub.route(q.dlx, m.Target, &dead) == 0 {
		b.counts.Unroutable(m.Target)
		b.log.Warning().Ctx(out.Ctx).Str("exchange", q.dlx).Str("target", m.Target).Msg("Dead-letter exchange routed the message to no queue; dropped")
	}
}

// Add sets the handler for target.
func (b *LocalBroker) Add(target string, h Handler) error { return b.router.Add(target, h) }

// Request publishes a request and waits for its reply; with a tracer, its
// producer span lasts until the reply has come.
func (b *LocalBroker) Request(ctx context.Context, body []byte, target string, opts PublishOptions) (*Message, error) {
	q, err := b.replies()
	if err != nil {
		return nil, fmt.Errorf("mom: request to %q: %w", target, err)
	}
	ctx, headers, end := b.router.Tracer().StartPublish(ctx, localSystem, target, opts.Headers)
	opts.Headers = headers
	reply, err := b.corr.Do(ctx, target, q.name, opts, b.timeout, func(ctx context.Context, o PublishOptions) error {
		return b.publishCounted(ctx, body, target, o)
	})
	end(err)
	return reply, err
}

// replies returns the broker's reply queue, creating it and its consumer
// on first use.
func (b *LocalBroker) replies() (*localQueue, error) {
	b.mu.Lock()
	q := b.replyQueue
	b.mu.Unlock()
	if q != nil {
		return q, nil
	}
	q, err := b.hub.declareQueue("", "")
	if err != nil {
		return nil, err
	}
	if b.replyEx != "" {
		b.hub.bind(b.replyEx, q.name, q)
	}
	b.mu.Lock()
	if b.replyQueue != nil { // another request won the race
		b.mu.Unlock()
		b.hub.deleteQueue(q)
		return b.replies()
	}
	b.replyQueue = q
	b.mu.Unlock()
	err = b.consume(q, 1, func(_ *localQueue, m *Message) {
		if !b.corr.Deliver(m) {
			b.log.Debug().Str("correlation_id", m.CorrelationID).Msg("Reply for no pending request; dropped")
		}
	})
	return q, err
}

func (b *LocalBroker) isClosed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closed
}

// Close stops the workers, waits for handlers in flight until ctx ends,
// then cancels the handlers' context and requeues what they did not finish.
// Exclusive queues (reply queue, exchange subscriptions) are deleted.
func (b *LocalBroker) Close(ctx context.Context) error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	subs := b.subs
	for m, d := range b.delayed { // waiting out a retry delay: back to the queue now
		if d.timer.Stop() { // else its timer fired and requeues it
			b.hub.requeue(d.queue, m)
			delete(b.delayed, m)
		}
	}
	b.mu.Unlock()
	b.counts.SetConnected(false)
	for _, s := range subs {
		b.hub.stop(s.queue, &s.stopped)
	}
	done := make(chan struct{})
	go func() { b.workers.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		b.mu.Lock()
		n := len(b.inflight)
		for m, q := range b.inflight {
			b.hub.requeue(q, m)
		}
		clear(b.inflight)
		b.mu.Unlock()
		b.hcancel()
		b.log.Warning().Int("requeued", n).Msg("Shutdown deadline passed with handlers in flight; their messages were requeued")
		err = fmt.Errorf("mom: close: %d handler(s) unfinished, messages requeued: %w", n, ctx.Err())
		<-done // handlers were told to stop through their context
	}
	b.hcancel()
	for _, s := range subs {
		if s.queue.exclusive {
			b.hub.deleteQueue(s.queue)
		}
	}
	return err
}
