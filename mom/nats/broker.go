package nats

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/asabgo/asab/logging"
	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/internal/counts"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
	"github.com/rs/zerolog"
)

// Broker is the NATS JetStream implementation of mom.Broker.
type Broker struct {
	cfg    Config
	where  string // the redacted URL, for logs
	log    *logging.Logger
	router mom.Router
	corr   *mom.Correlator
	counts counts.Counters

	// life ends the subscriptions' restore loops; hctx is the handlers'
	// context, cancelled when Close's deadline passes.
	life     context.Context
	stopLife context.CancelFunc
	hctx     context.Context
	hcancel  context.CancelFunc
	workers  sync.WaitGroup // handler workers
	inflight sync.WaitGroup // messages handed to the workers
	loops    sync.WaitGroup // one restore loop per subscription
	stopping chan struct{}  // closed when Close begins

	mu          sync.Mutex
	started     bool
	closing     bool
	nc          *natsgo.Conn
	js          jetstream.JetStream
	streamReady bool
	subs        []*subscription
	pending     []*subscription // subscribed before Start
	inbox       string          // the reply subject of this broker's requests
	advisories  *natsgo.Subscription
}

var (
	_ mom.Broker          = (*Broker)(nil)
	_ mom.Starter         = (*Broker)(nil)
	_ counts.Instrumented = (*Broker)(nil)
)

// New returns a broker for cfg. It does not connect until Start.
func New(cfg Config) (*Broker, error) {
	cfg.setDefaults()
	if err := checkConfig(cfg); err != nil {
		return nil, err
	}
	where := RedactURL(cfg.URL)
	life, stopLife := context.WithCancel(context.Background())
	hctx, hcancel := context.WithCancel(context.Background())
	return &Broker{cfg: cfg, where: where, corr: mom.NewCorrelator(),
		log:  logging.Get("asab.mom.nats").With(func(c zerolog.Context) zerolog.Context { return c.Str("url", where) }),
		life: life, stopLife: stopLife, hctx: hctx, hcancel: hcancel, stopping: make(chan struct{})}, nil
}

// Counters returns the broker's message counts, which the MOM service
// exposes as its asab_mom_* metrics.
func (b *Broker) Counters() *counts.Counters { return &b.counts }

// Start connects in the background: it does not wait for the server, so an
// application starts while its broker is down, and the client reconnects
// for as long as the broker is open (core subscriptions are restored by
// the client, consumers by the subscriptions' loops).
func (b *Broker) Start(context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closing {
		return mom.ErrClosed
	}
	if b.started {
		return nil
	}
	if err := b.connect(); err != nil {
		return err
	}
	pending := b.pending
	b.pending = nil
	b.mu.Unlock()
	defer b.mu.Lock()
	for _, s := range pending {
		if err := b.launch(b.nc, b.js, s, nil); err != nil {
			return err
		}
	}
	return nil
}

// connect makes the connection, its reply and advisory subscriptions; b.mu
// is held.
func (b *Broker) connect() error {
	opts := []natsgo.Option{natsgo.Name(b.cfg.Name), natsgo.RetryOnFailedConnect(true), natsgo.MaxReconnects(-1),
		natsgo.ReconnectWait(b.cfg.ReconnectWait),
		natsgo.ConnectHandler(func(*natsgo.Conn) {
			b.counts.SetConnected(true)
			b.log.Info().Msg("Connected to NATS")
		}),
		natsgo.DisconnectErrHandler(func(_ *natsgo.Conn, err error) {
			b.counts.SetConnected(false)
			if !b.isClosing() {
				b.log.Warning().Err(err).Msg("Connection to NATS lost; reconnecting")
			}
		}),
		natsgo.ReconnectHandler(func(*natsgo.Conn) {
			b.counts.SetConnected(true)
			b.counts.Reconnected()
			b.log.Info().Msg("Reconnected to NATS")
		}),
		natsgo.ErrorHandler(func(_ *natsgo.Conn, _ *natsgo.Subscription, err error) {
			b.log.Warning().Err(err).Msg("NATS client error")
		}),
	}
	if b.cfg.CredentialsFile != "" {
		opts = append(opts, natsgo.UserCredentials(b.cfg.CredentialsFile))
	}
	if b.cfg.Token != "" {
		opts = append(opts, natsgo.Token(b.cfg.Token))
	}
	nc, err := natsgo.Connect(b.cfg.URL, opts...)
	if err != nil {
		return fmt.Errorf("mom/nats: connect to %s: %w", b.where, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return fmt.Errorf("mom/nats: jetstream on %s: %w", b.where, err)
	}
	if nc.IsConnected() {
		b.counts.SetConnected(true)
	}
	b.nc, b.js, b.started = nc, js, true
	b.inbox = nc.NewInbox()
	if _, err := nc.Subscribe(b.inbox, b.onReply); err != nil {
		nc.Close()
		return fmt.Errorf("mom/nats: reply subscription: %w", err)
	}
	b.advisories, err = nc.Subscribe(maxDeliveriesAdvisory+b.cfg.Stream+".*", b.onMaxDeliveries)
	if err != nil {
		nc.Close()
		return fmt.Errorf("mom/nats: advisory subscription: %w", err)
	}
	return nil
}

func (b *Broker) isClosing() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closing
}

// conn returns the connection and JetStream context, or an error when the
// broker is not started or is closed.
func (b *Broker) conn() (*natsgo.Conn, jetstream.JetStream, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.closing:
		return nil, nil, mom.ErrClosed
	case !b.started:
		return nil, nil, errors.New("broker not started")
	}
	return b.nc, b.js, nil
}

// WaitConnected waits until the broker has a connection (or ctx ends).
func (b *Broker) WaitConnected(ctx context.Context) error {
	nc, _, err := b.conn()
	if err != nil {
		return err
	}
	for !nc.IsConnected() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("mom/nats: waiting for a connection to %s: %w", b.where, ctx.Err())
		case <-b.life.Done():
			return mom.ErrClosed
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

// ensureStream creates the stream when it is missing; an existing stream
// is used as it is.
func (b *Broker) ensureStream(ctx context.Context, js jetstream.JetStream) error {
	b.mu.Lock()
	ready := b.streamReady
	b.mu.Unlock()
	if ready {
		return nil
	}
	_, err := js.Stream(ctx, b.cfg.Stream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		_, err = js.CreateStream(ctx, jetstream.StreamConfig{Name: b.cfg.Stream, Subjects: b.cfg.Subjects,
			Storage: b.cfg.Storage, Retention: b.cfg.Retention, MaxAge: b.cfg.MaxAge})
		if err == nil {
			b.log.Info().Str("stream", b.cfg.Stream).Strs("subjects", b.cfg.Subjects).Msg("Stream created")
		} else if _, lookErr := js.Stream(ctx, b.cfg.Stream); lookErr == nil {
			// Another process created it between the lookup and the
			// create; the server then answers "name already in use" or,
			// as nats-server 2.9 does, "subjects overlap with an existing
			// stream". Either way the stream is there to be used.
			err = nil
		}
	}
	if err != nil {
		return fmt.Errorf("stream %q: %w", b.cfg.Stream, err)
	}
	b.mu.Lock()
	b.streamReady = true
	b.mu.Unlock()
	return nil
}

// Publish stores the message in the stream and returns once the server
// acknowledged it (PubAck). A publish that meets a lost connection, or a
// lost PubAck, is sent again until ctx ends, so one whose Publish returned
// nil is not lost; it may be stored twice unless Config.Deduplicate gives
// each publish a message id, whose copies the server's duplicate window
// drops.
func (b *Broker) Publish(ctx context.Context, body []byte, target string, opts mom.PublishOptions) error {
	ctx, headers, end := b.router.Tracer().StartPublish(ctx, system, target, opts.Headers)
	opts.Headers = headers
	err := b.publishCounted(ctx, body, target, opts)
	end(err)
	return err
}

// system is the messaging system the broker's spans name (package
// tracing's SystemNATS).
const system = "nats"

// SetTracer makes the broker trace its messages with t: a producer span
// per Publish and Request (its trace context sent in the traceparent
// header), a consumer span per handler (it implements mom.Traced).
func (b *Broker) SetTracer(t mom.Tracer) { b.router.SetTracer(t, system) }

// publishCounted is Publish without its span.
func (b *Broker) publishCounted(ctx context.Context, body []byte, target string, opts mom.PublishOptions) error {
	if opts.Exchange == "" {
		opts.Exchange = b.cfg.Exchange
	}
	err := b.publish(ctx, body, target, opts)
	b.counts.Published(target, err)
	return err
}

func (b *Broker) publish(ctx context.Context, body []byte, target string, opts mom.PublishOptions) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mom/nats: publish to %q: %w", target, err)
	}
	nc, js, err := b.conn()
	if err != nil {
		return fmt.Errorf("mom/nats: publish to %q: %w", target, err)
	}
	subject := Subject(opts.Exchange, target)
	msg := &natsgo.Msg{Subject: subject, Data: body, Header: encodeHeaders(opts)}
	id := ""
	if b.cfg.Deduplicate {
		id = nuid.Next()
	}
	for {
		if err := b.ensureStream(ctx, js); err == nil || !transient(nc, err) {
			if err != nil {
				return fmt.Errorf("mom/nats: publish to %q: %w", target, err)
			}
			err = b.publishOnce(ctx, js, msg, id)
			switch {
			case err == nil:
				return nil
			case errors.Is(err, jetstream.ErrNoStreamResponse) && nc.IsConnected():
				// Connected, and no stream takes the subject: outside the
				// stream's subjects, or the stream was deleted.
				b.mu.Lock()
				b.streamReady = false
				b.mu.Unlock()
				if serr := b.ensureStream(ctx, js); serr != nil {
					return fmt.Errorf("mom/nats: publish to %q: %w", target, serr)
				}
				if err = b.publishOnce(ctx, js, msg, id); err == nil {
					return nil
				}
				if errors.Is(err, jetstream.ErrNoStreamResponse) && nc.IsConnected() {
					return fmt.Errorf("mom/nats: publish to %q: no stream takes subject %q (stream %q has subjects %v): %w",
						target, subject, b.cfg.Stream, b.cfg.Subjects, err)
				}
			}
			if ctx.Err() != nil {
				return fmt.Errorf("mom/nats: publish to %q: %w", target, ctx.Err())
			}
			if !transient(nc, err) {
				return fmt.Errorf("mom/nats: publish to %q: %w", target, err)
			}
		}
		select { // the connection is down or the PubAck was lost: again
		case <-ctx.Done():
			return fmt.Errorf("mom/nats: publish to %q: %w", target, ctx.Err())
		case <-b.life.Done():
			return fmt.Errorf("mom/nats: publish to %q: %w", target, mom.ErrClosed)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// pubAckWait bounds the wait for one PubAck: a PubAck lost with its
// connection never comes, and the publish must be sent again.
const pubAckWait = 2 * time.Second

// publishOnce sends msg once (with message id id, unless "") and waits for
// its PubAck, at most pubAckWait.
func (b *Broker) publishOnce(ctx context.Context, js jetstream.JetStream, msg *natsgo.Msg, id string) error {
	ctx, cancel := context.WithTimeout(ctx, pubAckWait)
	defer cancel()
	var opts []jetstream.PublishOpt
	if id != "" {
		opts = append(opts, jetstream.WithMsgID(id))
	}
	_, err := js.PublishMsg(ctx, msg, opts...)
	return err
}

// transient reports whether err is a failure that trying again on the
// next connection can cure: not an answer of the JetStream API.
func transient(nc *natsgo.Conn, err error) bool {
	var api *jetstream.APIError
	if errors.As(err, &api) {
		return false
	}
	if nc.IsClosed() {
		return false
	}
	return true
}

// Subject returns the NATS subject of a message published to target on
// exchange: the target itself on the default exchange (""), else the
// exchange, a dot and the target.
func Subject(exchange, target string) string {
	if exchange == "" {
		return target
	}
	return exchange + "." + target
}

// Add sets the handler for target.
func (b *Broker) Add(target string, h mom.Handler) error { return b.router.Add(target, h) }

// Request publishes a request (stored in the stream like any message) whose
// ReplyTo is this broker's inbox, and waits for the reply, which the
// handler's broker sends as a core NATS message.
func (b *Broker) Request(ctx context.Context, body []byte, target string, opts mom.PublishOptions) (*mom.Message, error) {
	b.mu.Lock()
	inbox := b.inbox
	b.mu.Unlock()
	if _, _, err := b.conn(); err != nil {
		return nil, fmt.Errorf("mom/nats: request to %q: %w", target, err)
	}
	ctx, headers, end := b.router.Tracer().StartPublish(ctx, system, target, opts.Headers)
	opts.Headers = headers
	reply, err := b.corr.Do(ctx, target, inbox, opts, b.cfg.RequestTimeout, func(ctx context.Context, o mom.PublishOptions) error {
		return b.publishCounted(ctx, body, target, o)
	})
	end(err)
	return reply, err
}

// onReply hands a reply to the request waiting for it.
func (b *Broker) onReply(m *natsgo.Msg) {
	msg := decode(m.Subject, m.Data, m.Header)
	if !b.corr.Deliver(msg) {
		b.log.Debug().Str("correlation_id", msg.CorrelationID).Msg("Reply for no pending request; dropped")
	}
}

// reply sends a handler's reply as a core NATS message to ReplyTo; hctx
// is the handler's context, for the line of a failure.
func (b *Broker) reply(hctx context.Context, r *mom.Message) {
	nc, _, err := b.conn()
	if err == nil {
		err = nc.PublishMsg(&natsgo.Msg{Subject: r.Target, Data: r.Body, Header: encodeHeaders(mom.PublishOptions{
			CorrelationID: r.CorrelationID, ContentType: r.ContentType, Headers: r.Headers})})
	}
	b.counts.Published(counts.ReplyTarget, err)
	if err != nil {
		b.log.Error().Ctx(hctx).Err(err).Str("reply_to", r.Target).Msg("Cannot send a reply")
	}
}

// Close stops consuming (messages fetched but not handled yet go back at
// once), waits for the handlers in flight until ctx ends, then cancels
// their context (a handler cut off has its message requeued), deletes the
// subscriptions' ephemeral consumers, and closes the connection. Durable
// consumers stay, with their unacknowledged messages, for the next
// instance.
func (b *Broker) Close(ctx context.Context) error {
	b.mu.Lock()
	if b.closing {
		b.mu.Unlock()
		return nil
	}
	b.closing = true
	close(b.stopping)
	subs, nc := b.subs, b.nc
	b.mu.Unlock()
	// The handlers settle while the consumers still pull: the server
	// counts a Nak as a delivery only while its consumer has interest.
	done := make(chan struct{})
	go func() { b.inflight.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		b.hcancel()
		err = fmt.Errorf("mom/nats: close: handlers unfinished at the deadline, their messages requeued: %w", ctx.Err())
		b.log.Warning().Msg("Shutdown deadline passed with handlers in flight; their messages are requeued")
		<-done
	}
	b.stopLife()
	b.loops.Wait() // every consume drained
	b.workers.Wait()
	b.hcancel()
	b.counts.SetConnected(false)
	if nc == nil {
		return err
	}
	for _, s := range subs {
		s.deleteEphemeral(b)
	}
	if ferr := nc.FlushTimeout(time.Second); ferr != nil && nc.IsConnected() {
		b.log.Warning().Err(ferr).Msg("Cannot flush the last acknowledgements; those messages will be delivered again")
	}
	nc.Close()
	return err
}

// attempt returns a delivery's attempt number from its metadata.
func attempt(md *jetstream.MsgMetadata) int {
	if md == nil || md.NumDelivered == 0 {
		return 1
	}
	return int(md.NumDelivered)
}
