package nats

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/internal/counts"
	"github.com/asabgo/asab/mom/internal/topic"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// shutdownNakDelay is how soon a message fetched while the broker closes
// is delivered again (to another instance): soon, but not into this
// broker's own pulls, which are still draining.
const shutdownNakDelay = 200 * time.Millisecond

// subscription is one Subscribe: its consumer's configuration, and the
// restore loop that keeps the consumer consuming.
type subscription struct {
	queue    string
	opts     mom.SubscribeOptions
	label    string // the queue label of the metrics
	consumer jetstream.ConsumerConfig
	keys     []string // routing keys checked on the client (several keys on an exchange)
	dlx      string   // the dead-letter exchange
	name     string   // the consumer's name, once created
}

// consumerName is the durable consumer name of a queue: the prefix, "_" and
// the queue with the characters NATS forbids in names replaced by "_".
func consumerName(prefix, queue string) string {
	return prefix + "_" + strings.Map(func(r rune) rune {
		switch r {
		case '.', '*', '>', ' ', '\t':
			return '_'
		}
		return r
	}, queue)
}

// natsPattern turns an AMQP topic pattern into a NATS subject filter: "*"
// stays, a final "#" becomes ">"; a "#" elsewhere has no NATS equivalent.
func natsPattern(exchange, key string) (string, error) {
	words := strings.Split(key, ".")
	for i, w := range words {
		if w == "#" {
			if i != len(words)-1 {
				return "", fmt.Errorf("routing key %q: \"#\" is only supported as the last word on NATS", key)
			}
			words[i] = ">"
		}
	}
	return Subject(exchange, strings.Join(words, ".")), nil
}

// newSubscription maps a Subscribe to a consumer: a queue is a durable
// consumer filtered on the queue's subject; an exchange with routing keys is
// a consumer filtered on the exchange's subjects, ephemeral (one per
// subscriber, so each gets every message: fan-out) unless a queue name is
// given, which makes it durable and shared.
func (b *Broker) newSubscription(queue string, opts mom.SubscribeOptions) (*subscription, error) {
	if queue == "" && opts.Exchange == "" {
		return nil, errors.New("mom/nats: subscribe: a queue name or an exchange is required")
	}
	s := &subscription{queue: queue, opts: opts, label: counts.QueueLabel(queue, opts.Exchange), dlx: opts.DeadLetterExchange}
	if s.dlx == "" {
		s.dlx = b.cfg.DeadLetterExchange
	}
	c := jetstream.ConsumerConfig{AckPolicy: jetstream.AckExplicitPolicy, AckWait: b.cfg.AckWait,
		MaxAckPending: b.cfg.MaxAckPending, MaxDeliver: b.cfg.MaxDeliver, BackOff: b.cfg.BackOff,
		DeliverPolicy: jetstream.DeliverAllPolicy}
	if c.MaxDeliver == 0 {
		c.MaxDeliver = opts.Retry.MaxAttempts
	}
	if c.MaxDeliver == 0 {
		c.MaxDeliver = -1
	}
	if queue != "" {
		c.Durable = consumerName(b.cfg.Durable, queue)
	}
	if opts.Exchange == "" {
		c.FilterSubject = queue
	} else {
		if queue == "" {
			c.DeliverPolicy = jetstream.DeliverNewPolicy // like a fresh exclusive queue
			c.InactiveThreshold = max(5*time.Second, 2*b.cfg.ReconnectWait)
		}
		switch len(opts.RoutingKeys) {
		case 0:
			return nil, fmt.Errorf("mom/nats: subscribe to exchange %q: no routing keys", opts.Exchange)
		case 1:
			f, err := natsPattern(opts.Exchange, opts.RoutingKeys[0])
			if err != nil {
				return nil, fmt.Errorf("mom/nats: subscribe to exchange %q: %w", opts.Exchange, err)
			}
			c.FilterSubject = f
		default: // one filter per consumer before NATS 2.10: filter on the client
			for _, k := range opts.RoutingKeys {
				if _, err := natsPattern(opts.Exchange, k); err != nil {
					return nil, fmt.Errorf("mom/nats: subscribe to exchange %q: %w", opts.Exchange, err)
				}
			}
			c.FilterSubject = opts.Exchange + ".>"
			s.keys = opts.RoutingKeys
		}
	}
	s.consumer = c
	return s, nil
}

// Subscribe creates the subscription's consumer (and the stream when it is
// missing), waiting for a connection bounded by ctx, and starts
// MaxAckPending handler workers on it. The consumer is restored for as
// long as the broker is open: the client re-issues its pulls after a
// reconnect, and a consumer the server lost is created again.
func (b *Broker) Subscribe(ctx context.Context, queue string, opts mom.SubscribeOptions) error {
	s, err := b.newSubscription(queue, opts)
	if err != nil {
		return err
	}
	b.mu.Lock()
	if !b.started && !b.closing { // recorded; Start creates the consumer
		b.pending = append(b.pending, s)
		b.mu.Unlock()
		return nil
	}
	b.mu.Unlock()
	nc, js, err := b.conn()
	if err != nil {
		return fmt.Errorf("mom/nats: subscribe %q: %w", s.label, err)
	}
	cons, err := b.createConsumer(ctx, nc, js, s)
	if err != nil {
		return fmt.Errorf("mom/nats: subscribe %q: %w", s.label, err)
	}
	if err := b.launch(nc, js, s, cons); err != nil {
		return fmt.Errorf("mom/nats: subscribe %q: %w", s.label, err)
	}
	return nil
}

// launch starts the subscription's handler workers and its consume loop;
// with cons nil the loop creates the consumer first.
func (b *Broker) launch(nc *natsgo.Conn, js jetstream.JetStream, s *subscription, cons jetstream.Consumer) error {
	work := make(chan jetstream.Msg)
	b.mu.Lock()
	if b.closing {
		b.mu.Unlock()
		return mom.ErrClosed
	}
	b.subs = append(b.subs, s)
	b.loops.Add(1)
	b.workers.Add(b.cfg.MaxAckPending)
	b.mu.Unlock()
	for range b.cfg.MaxAckPending {
		go func() {
			defer b.workers.Done()
			for m := range work {
				b.handle(s, m)
				b.inflight.Done()
			}
		}()
	}
	go b.keepConsuming(nc, js, s, cons, work)
	return nil
}

// createConsumer waits for a connection and the stream, and creates or
// updates the consumer, trying again while the failure is transient.
func (b *Broker) createConsumer(ctx context.Context, nc *natsgo.Conn, js jetstream.JetStream, s *subscription) (jetstream.Consumer, error) {
	for {
		err := b.ensureStream(ctx, js)
		if err == nil {
			var cons jetstream.Consumer
			cons, err = js.CreateOrUpdateConsumer(ctx, b.cfg.Stream, s.consumer)
			if err == nil {
				b.mu.Lock()
				s.name = cons.CachedInfo().Name
				b.mu.Unlock()
				return cons, nil
			}
		}
		if ctx.Err() != nil || !transient(nc, err) {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// keepConsuming consumes until the broker closes; when the server reports
// the consumer gone it creates it again (and the stream, if that is gone
// too). At the end it drains: fetched messages not yet handled go back to
// the server at once (Nak) and the workers stop.
func (b *Broker) keepConsuming(nc *natsgo.Conn, js jetstream.JetStream, s *subscription, cons jetstream.Consumer, work chan jetstream.Msg) {
	defer b.loops.Done()
	defer close(work)
	for cons == nil { // subscribed before Start
		var err error
		if cons, err = b.createConsumer(b.life, nc, js, s); err == nil {
			break
		}
		if b.life.Err() != nil {
			return
		}
		b.log.Error().Err(err).Str("queue", s.label).Msg("Cannot create the consumer; trying again")
		select {
		case <-b.life.Done():
			return
		case <-time.After(b.cfg.ReconnectWait):
		}
	}
	for {
		lost := make(chan struct{})
		var once sync.Once
		cc, err := cons.Consume(func(m jetstream.Msg) {
			b.mu.Lock()
			closing := b.closing
			if !closing {
				b.inflight.Add(1)
			}
			b.mu.Unlock()
			if closing { // back soon, for another instance
				_ = m.NakWithDelay(shutdownNakDelay)
				return
			}
			select {
			case work <- m:
			case <-b.stopping:
				_ = m.NakWithDelay(shutdownNakDelay)
				b.inflight.Done()
			}
		}, jetstream.PullMaxMessages(b.cfg.MaxAckPending), jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			if errors.Is(err, jetstream.ErrConsumerDeleted) || errors.Is(err, jetstream.ErrConsumerNotFound) {
				once.Do(func() { close(lost) })
				return
			}
			if b.life.Err() == nil && nc.IsConnected() && !errors.Is(err, jetstream.ErrNoHeartbeat) {
				b.log.Debug().Err(err).Str("queue", s.label).Msg("Consumer error")
			}
		}))
		if err == nil {
			select {
			case <-b.life.Done():
				cc.Drain()
				<-cc.Closed()
				return
			case <-lost:
				cc.Stop()
				<-cc.Closed()
				b.log.Warning().Str("queue", s.label).Msg("The server lost the consumer; creating it again")
			}
		} else if b.life.Err() != nil {
			return
		}
		b.mu.Lock()
		b.streamReady = false
		b.mu.Unlock()
		for {
			cons, err = b.createConsumer(b.life, nc, js, s)
			if err == nil {
				break
			}
			if b.life.Err() != nil {
				return
			}
			b.log.Warning().Err(err).Str("queue", s.label).Msg("Cannot restore the consumer; trying again")
			select {
			case <-b.life.Done():
				return
			case <-time.After(b.cfg.ReconnectWait):
			}
		}
	}
}

// handle runs the handler for one message and settles it: Ack on success,
// Term on an error (after publishing it to the dead-letter exchange, if
// any), NakWithDelay on Retry with the policy's backoff, and on the last
// attempt the dead-letter path. A handler cut off by the shutdown deadline
// has its message requeued at once.
func (b *Broker) handle(s *subscription, jm jetstream.Msg) {
	md, _ := jm.Metadata()
	msg := decode(jm.Subject(), jm.Data(), jm.Headers())
	if len(s.keys) > 0 && !matchesAny(s.keys, msg.Target) {
		_ = jm.Ack() // on the exchange, but for none of this subscription's keys
		return
	}
	b.counts.Consumed(s.label)
	msg.Attempt = attempt(md)
	msg.Redelivered = msg.Attempt > 1
	out := b.router.DispatchFrom(b.hctx, s.queue, msg, b.log)
	if b.hctx.Err() != nil && out.Action != mom.Ack {
		// Cut off by the shutdown: back for another instance once this
		// broker's pulls are gone.
		out = mom.Outcome{Action: mom.Requeue, Delay: shutdownNakDelay, Ctx: out.Ctx}
	}
	out = mom.ApplyRetry(out, s.opts.Retry, msg.Attempt, msg, b.log)
	if out.NoHandler {
		b.counts.Dropped(s.label)
	}
	if out.Reply != nil {
		b.reply(out.Ctx, out.Reply)
	}
	var err error
	switch out.Action {
	case mom.Ack:
		err = jm.Ack()
	case mom.Requeue:
		if out.Delay > 0 {
			err = jm.NakWithDelay(out.Delay)
		} else {
			// A plain Nak came back with its delivery count unchanged on
			// nats-server 2.9 (seen in the suite's shutdown case), which
			// would lose Redelivered and Attempt; a delayed one counts.
			err = jm.NakWithDelay(time.Millisecond)
		}
	case mom.Reject, mom.DeadLetter:
		if !b.deadLetter(s, msg, out) {
			err = jm.NakWithDelay(b.cfg.ReconnectWait) // keep it: the dead letter was not stored
			out.Action = mom.Requeue
		} else {
			err = jm.Term()
		}
	}
	if err == nil {
		switch out.Action {
		case mom.Ack:
			b.counts.Acked(s.label)
		case mom.Requeue:
			b.counts.Requeued(s.label)
		default:
			b.counts.Rejected(s.label)
		}
	} else {
		b.log.Debug().Ctx(out.Ctx).Err(err).Str("target", msg.Target).Msg("Cannot settle a message; it will be delivered again")
	}
}

// deadLetter publishes a rejected or exhausted message to the
// subscription's dead-letter exchange with LastErrorHeader; it reports
// false when that publish failed (the message must stay).
func (b *Broker) deadLetter(s *subscription, msg *mom.Message, out mom.Outcome) bool {
	if s.dlx == "" {
		if out.Action == mom.DeadLetter { // a Reject was logged by the router already
			b.log.Warning().Ctx(out.Ctx).Str("queue", s.label).Str("target", msg.Target).Msg("Retries exhausted and the subscription has no dead-letter exchange; message dropped")
		}
		return true
	}
	o := options(msg)
	o.Exchange = s.dlx
	o.Headers = mom.DeadLetterHeaders(msg.Headers, out.Err, msg.Attempt)
	ctx, cancel := context.WithTimeout(context.Background(), b.cfg.RequestTimeout)
	defer cancel()
	if err := b.publish(ctx, msg.Body, msg.Target, o); err != nil {
		b.log.Error().Ctx(out.Ctx).Err(err).Str("exchange", s.dlx).Str("target", msg.Target).Msg("Cannot dead-letter a message; it will be delivered again")
		return false
	}
	b.counts.DeadLettered(s.label)
	return true
}

func matchesAny(keys []string, target string) bool {
	for _, k := range keys {
		if topic.Match(k, target) {
			return true
		}
	}
	return false
}

// deleteEphemeral deletes an exchange subscription's ephemeral consumer at
// Close (the server would remove it after its inactive threshold anyway).
func (s *subscription) deleteEphemeral(b *Broker) {
	if s.consumer.Durable != "" || s.name == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := b.js.DeleteConsumer(ctx, b.cfg.Stream, s.name); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
		b.log.Debug().Err(err).Str("consumer", s.name).Msg("Cannot delete an ephemeral consumer")
	}
}

// maxDeliveriesAdvisory starts the subject of the server's advisories
// about messages that reached their consumer's max_deliver.
const maxDeliveriesAdvisory = "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES."

// onMaxDeliveries counts and logs a message the server stopped delivering
// because it reached max_deliver without a verdict (ack timeouts): it stays
// in the stream but no consumer gets it again.
func (b *Broker) onMaxDeliveries(m *natsgo.Msg) {
	var adv struct {
		Consumer   string `json:"consumer"`
		StreamSeq  uint64 `json:"stream_seq"`
		Deliveries uint64 `json:"deliveries"`
	}
	if err := json.Unmarshal(m.Data, &adv); err != nil {
		return
	}
	b.mu.Lock()
	label := ""
	for _, s := range b.subs {
		if s.name == adv.Consumer {
			label = s.label
		}
	}
	b.mu.Unlock()
	if label == "" {
		return // another application's consumer
	}
	b.counts.Expired(label)
	b.log.Warning().Str("queue", label).Uint64("stream_seq", adv.StreamSeq).Uint64("deliveries", adv.Deliveries).
		Msg("Message reached max_deliver without an acknowledgement; the server delivers it no more")
}
