package amqp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asabgo/asab/logging"
	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/internal/counts"
	amqp091 "github.com/rabbitmq/amqp091-go"
	"github.com/rs/zerolog"
)

// Broker is the AMQP 0-9-1 implementation of mom.Broker.
type Broker struct {
	cfg    Config
	where  string // the redacted URL, for logs
	log    *logging.Logger
	router mom.Router
	corr   *mom.Correlator
	counts counts.Counters
	served bool // a session was served before (only the loop reads it)

	// life ends the connection loop; hctx is the handlers' context,
	// cancelled when Close's deadline passes.
	life     context.Context
	stopLife context.CancelFunc
	hctx     context.Context
	hcancel  context.CancelFunc
	loopDone chan struct{}
	workers  sync.WaitGroup // consumer workers (handlers)
	readers  sync.WaitGroup // reply-queue readers, ended by the connection's close
	// pubs counts the publishes in flight; Add only under mu while
	// !draining, so that Close's Wait follows every Add.
	pubs sync.WaitGroup
	// stopping is set when Close begins: deliveries whose handler has not
	// started are requeued instead of handled.
	stopping atomic.Bool

	mu        sync.Mutex
	started   bool
	closing   bool
	draining  bool // handlers are done: no more publishes
	finished  bool // no more reply readers may start
	sess      *session
	ready     chan struct{} // closed while sess != nil
	subs      []*subscription
	exchanges map[string]bool // declared by this broker; restored on reconnect
	tags      int
}

type subscription struct {
	queue string
	opts  mom.SubscribeOptions
	qopts QueueOptions // with the Config's defaults filled in
	tag   string
	label string // the queue label of the metrics
}

var (
	_ mom.Broker  = (*Broker)(nil)
	_ mom.Starter = (*Broker)(nil)
)

// New returns a broker for cfg. It does not connect until Start.
func New(cfg Config) (*Broker, error) {
	if err := checkURL(cfg.URL); err != nil {
		return nil, err
	}
	if _, err := parseQueueType(string(cfg.QueueType)); err != nil {
		return nil, fmt.Errorf("mom/amqp: %w", err)
	}
	cfg.setDefaults()
	where := RedactURL(cfg.URL)
	life, stopLife := context.WithCancel(context.Background())
	hctx, hcancel := context.WithCancel(context.Background())
	return &Broker{cfg: cfg, where: where, corr: mom.NewCorrelator(),
		log:  logging.Get("asab.mom.amqp").With(func(c zerolog.Context) zerolog.Context { return c.Str("url", where) }),
		life: life, stopLife: stopLife, hctx: hctx, hcancel: hcancel, loopDone: make(chan struct{}),
		ready: make(chan struct{}), exchanges: make(map[string]bool)}, nil
}

// Start launches the connection loop, which connects, restores the
// topology, and reconnects with backoff until Close. It does not wait for
// the first connection: an application starts while its broker is down.
func (b *Broker) Start(context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closing {
		return mom.ErrClosed
	}
	if !b.started {
		b.started = true
		go b.loop()
	}
	return nil
}

// WaitConnected waits until the broker has a connection (or ctx ends).
func (b *Broker) WaitConnected(ctx context.Context) error {
	_, err := b.session(ctx)
	return err
}

// session returns the live session, waiting for one bounded by ctx.
func (b *Broker) session(ctx context.Context) (*session, error) {
	for {
		b.mu.Lock()
		s, ready, closing, started := b.sess, b.ready, b.closing, b.started
		b.mu.Unlock()
		switch {
		case closing && s == nil:
			return nil, mom.ErrClosed
		case !started:
			return nil, errors.New("broker not started")
		case s != nil:
			return s, nil
		}
		select {
		case <-ready:
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for a connection to %s: %w", b.where, ctx.Err())
		case <-b.life.Done():
			return nil, mom.ErrClosed
		}
	}
}

// Publish sends the message and, with confirms on (the default), returns
// only once the server confirmed it. A publish that meets a lost
// connection waits for the next one (bounded by ctx) and is sent again, so
// a message may arrive twice but a confirmed one is never lost.
func (b *Broker) Publish(ctx context.Context, body []byte, target string, opts mom.PublishOptions) error {
	ctx, headers, end := b.router.Tracer().StartPublish(ctx, system, target, opts.Headers)
	opts.Headers = headers
	err := b.publishCounted(ctx, body, target, opts)
	end(err)
	return err
}

// system is the messaging system the broker's spans name (package
// tracing's SystemRabbitMQ).
const system = "rabbitmq"

// SetTracer makes the broker trace its messages with t: a producer span
// per Publish and Request (its trace context sent in the traceparent
// header), a consumer span per handler (it implements mom.Traced).
func (b *Broker) SetTracer(t mom.Tracer) { b.router.SetTracer(t, system) }

// publishCounted is Publish without its span.
func (b *Broker) publishCounted(ctx context.Context, body []byte, target string, opts mom.PublishOptions) error {
	exchange := opts.Exchange
	if exchange == "" {
		exchange = b.cfg.Exchange
	}
	err := b.publish(ctx, body, target, exchange, opts)
	b.counts.Published(target, err)
	return err
}

// Counters returns the broker's message counts, which the MOM service
// exposes as its asab_mom_* metrics.
func (b *Broker) Counters() *counts.Counters { return &b.counts }

// publish is Publish to an explicit exchange ("" = the default exchange).
// It is counted in flight, so that Close waits for its confirm.
func (b *Broker) publish(ctx context.Context, body []byte, target, exchange string, opts mom.PublishOptions) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mom/amqp: publish to %q: %w", target, err)
	}
	b.mu.Lock()
	if b.draining {
		b.mu.Unlock()
		return fmt.Errorf("mom/amqp: publish to %q: %w", target, mom.ErrClosed)
	}
	b.pubs.Add(1)
	b.mu.Unlock()
	defer b.pubs.Done()
	msg := amqp091.Publishing{Body: body, ContentType: opts.ContentType, ContentEncoding: opts.ContentEncoding,
		CorrelationId: opts.CorrelationID, ReplyTo: opts.ReplyTo, Headers: amqp091.Table(opts.Headers)}
	if opts.Persistent {
		msg.DeliveryMode = amqp091.Persistent
	}
	for {
		s, err := b.session(ctx)
		if err != nil {
			return fmt.Errorf("mom/amqp: publish to %q: %w", target, err)
		}
		if err := s.ensureExchange(b, exchange); err != nil {
			if !s.lost() {
				return fmt.Errorf("mom/amqp: publish to %q: %w", target, err)
			}
			continue
		}
		dc, err := s.pub.PublishWithDeferredConfirmWithContext(ctx, exchange, target, true, false, msg)
		switch {
		case err == nil && dc == nil:
			return nil // confirms off
		case err != nil && ctx.Err() != nil:
			return fmt.Errorf("mom/amqp: publish to %q: %w", target, ctx.Err())
		case err != nil && !s.lost() && !connectionTrouble(err):
			return fmt.Errorf("mom/amqp: publish to %q: %w", target, err) // not a connection problem
		case err == nil:
			ok, werr := dc.WaitContext(ctx)
			if ok {
				return nil
			}
			if werr != nil {
				return fmt.Errorf("mom/amqp: publish to %q: %w", target, werr)
			}
		}
		// Nacked or the channel went away: wait for the session to be
		// replaced (or, for a real nack on a live channel, a moment).
		if err := s.awaitLoss(ctx, 50*time.Millisecond); err != nil {
			return fmt.Errorf("mom/amqp: publish to %q: %w", target, err)
		}
	}
}

// Subscribe records the subscription (restored after every reconnect) and,
// once the broker is started, waits for a connection (bounded by ctx) and
// starts consuming, returning the server's answer. The queue is of the
// Config's QueueType; see SubscribeWith to choose per subscription.
//
// With opts.DeadLetterExchange, Subscribe declares that exchange (a
// durable topic exchange, unless it exists already) and a durable classic
// queue of the same name bound to it with "#", which keeps the dead
// letters until something consumes them; it fails naming the exchange
// when the server refuses either.
func (b *Broker) Subscribe(ctx context.Context, queue string, opts mom.SubscribeOptions) error {
	return b.SubscribeWith(ctx, queue, opts, QueueOptions{})
}

// SubscribeWith is Subscribe with the AMQP-only properties of the queue:
// its type (classic or quorum) and a quorum queue's delivery limit.
func (b *Broker) SubscribeWith(ctx context.Context, queue string, opts mom.SubscribeOptions, qopts QueueOptions) error {
	if queue == "" && opts.Exchange == "" {
		return errors.New("mom/amqp: subscribe: a queue name or an exchange is required")
	}
	t, err := parseQueueType(string(qopts.Type))
	if err != nil {
		return fmt.Errorf("mom/amqp: subscribe %q: %w", queue, err)
	}
	if qopts.Type == "" {
		t = b.cfg.QueueType
	}
	qopts.Type = t
	if qopts.DeliveryLimit < 0 {
		return fmt.Errorf("mom/amqp: subscribe %q: delivery limit %d is negative", queue, qopts.DeliveryLimit)
	}
	if qopts.DeliveryLimit == 0 {
		qopts.DeliveryLimit = b.cfg.DeliveryLimit
	}
	if opts.Exchange != "" && queue == "" && retrying(opts.Retry) {
		return fmt.Errorf("mom/amqp: subscribe %q on exchange %q: a retry policy needs a named queue (an exchange subscription's queue is renamed on every connection)", queue, opts.Exchange)
	}
	b.mu.Lock()
	if b.closing {
		b.mu.Unlock()
		return fmt.Errorf("mom/amqp: subscribe %q: %w", queue, mom.ErrClosed)
	}
	b.tags++
	sub := &subscription{queue: queue, opts: opts, qopts: qopts, tag: b.cfg.AppName + "-" + strconv.Itoa(b.tags),
		label: counts.QueueLabel(queue, opts.Exchange)}
	started := b.started
	// Recorded first, so that a reconnect racing with us restores it.
	b.subs = append(b.subs, sub)
	b.mu.Unlock()
	if !started {
		return nil
	}
	for {
		s, err := b.session(ctx)
		if err == nil {
			if err = s.consume(b, sub); err == nil || s.lost() {
				if err == nil {
					return nil
				}
				continue
			}
		}
		b.mu.Lock()
		b.subs = slices.DeleteFunc(b.subs, func(x *subscription) bool { return x == sub })
		b.mu.Unlock()
		return fmt.Errorf("mom/amqp: subscribe %q: %w", queue, err)
	}
}

// Add sets the handler for target.
func (b *Broker) Add(target string, h mom.Handler) error { return b.router.Add(target, h) }

// Request publishes a request with a reply queue of this connection and
// waits for the reply. A reply queue is exclusive to its connection, so a
// request whose connection is lost before the reply arrives times out.
func (b *Broker) Request(ctx context.Context, body []byte, target string, opts mom.PublishOptions) (*mom.Message, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, b.cfg.RequestTimeout)
		defer cancel()
	}
	s, err := b.session(ctx)
	if err != nil {
		return nil, fmt.Errorf("mom/amqp: request to %q: %w", target, err)
	}
	q, err := s.replyQueue(b)
	if err != nil {
		return nil, fmt.Errorf("mom/amqp: request to %q: reply queue: %w", target, err)
	}
	ctx, headers, end := b.router.Tracer().StartPublish(ctx, system, target, opts.Headers)
	opts.Headers = headers
	reply, err := b.corr.Do(ctx, target, q, opts, 0, func(ctx context.Context, o mom.PublishOptions) error {
		return b.publishCounted(ctx, body, target, o)
	})
	end(err)
	return reply, err
}

// cutOffGrace is how long Close waits, once the deadline has cancelled the
// handlers' context, for them to return and have their messages requeued,
// before it closes the connection anyway (which requeues them too).
const cutOffGrace = 50 * time.Millisecond

// Close shuts the broker down in this order:
//
//  1. stop consuming: basic.cancel on every subscription, so no new
//     message arrives; one delivered meanwhile, whose handler has not
//     started, is requeued;
//  2. let the handlers in flight finish until ctx ends; each sends its
//     reply (confirmed) and its ack as usual;
//  3. at ctx's end, cancel the handlers' context: a handler cut off that
//     way has its message requeued, whatever it returns, never acked; one
//     that does not return within cutOffGrace is left behind, and its
//     message is requeued by the server when the connection closes;
//  4. wait for the publishes in flight (Publish calls of the application,
//     replies) to be confirmed, until ctx ends; later publishes fail with
//     mom.ErrClosed;
//  5. close the connection.
//
// It returns an error when ctx ended before the handlers finished or
// before the publishes were confirmed.
func (b *Broker) Close(ctx context.Context) error {
	b.mu.Lock()
	if b.closing {
		b.mu.Unlock()
		return nil
	}
	b.closing = true
	b.stopping.Store(true)
	s, started := b.sess, b.started
	b.mu.Unlock()
	if s != nil {
		s.cancelConsumers()
	}
	var errs []error
	handlers := make(chan struct{})
	go func() { b.workers.Wait(); close(handlers) }()
	select {
	case <-handlers:
	case <-ctx.Done():
		b.hcancel()
		errs = append(errs, fmt.Errorf("mom/amqp: close: handlers unfinished at the deadline, their messages requeued: %w", ctx.Err()))
		b.log.Warning().Msg("Shutdown deadline passed with handlers in flight; their messages are requeued")
		select {
		case <-handlers:
		case <-time.After(cutOffGrace):
			b.log.Error().Dur("grace", cutOffGrace).Msg("Handlers ignore the cancelled context; closing the connection under them (the server requeues their messages)")
		}
	}
	b.mu.Lock()
	b.draining = true
	b.mu.Unlock()
	pubs := make(chan struct{})
	go func() { b.pubs.Wait(); close(pubs) }()
	select {
	case <-pubs:
	case <-ctx.Done():
		if len(errs) == 0 {
			errs = append(errs, fmt.Errorf("mom/amqp: close: publishes unconfirmed at the deadline: %w", ctx.Err()))
		}
	}
	b.hcancel()
	b.stopLife()
	if started {
		<-b.loopDone
	}
	b.mu.Lock()
	b.finished = true
	b.mu.Unlock()
	b.readers.Wait()
	return errors.Join(errs...)
}
