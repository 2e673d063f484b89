package amqp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/asabgo/asab/mom/internal/counts"
	amqp091 "github.com/rabbitmq/amqp091-go"
)

// session is one connection with its publishing channel and consumers. It
// is replaced as a whole when anything in it fails.
type session struct {
	conn *amqp091.Connection
	pub  *amqp091.Channel
	done chan struct{} // closed once the session is over

	mu        sync.Mutex
	exchanges map[string]bool
	// deadLetters are the dead-letter exchanges whose queue is declared.
	deadLetters map[string]bool
	// delayQueues are the retry delay queues declared.
	delayQueues map[string]bool
	consumers   map[string]*amqp091.Channel // by consumer tag
	replyQ      string
}

// loop connects, serves one session until it fails, and reconnects with
// exponential backoff, until Close.
func (b *Broker) loop() {
	defer close(b.loopDone)
	delay := b.cfg.ReconnectDelay
	for b.life.Err() == nil {
		s, err := b.connect()
		if err != nil {
			b.log.Warning().Err(err).Dur("retry_in", delay).Msg("Cannot connect to the AMQP server")
			select {
			case <-time.After(delay):
			case <-b.life.Done():
			}
			delay = min(2*delay, b.cfg.MaxReconnectDelay)
			continue
		}
		delay = b.cfg.ReconnectDelay
		b.serve(s)
	}
}

// connect dials and opens the publishing channel.
func (b *Broker) connect() (*session, error) {
	props := amqp091.NewConnectionProperties()
	props.SetClientConnectionName(b.cfg.AppName)
	conn, err := amqp091.DialConfig(b.cfg.URL, amqp091.Config{Properties: props, Heartbeat: 10 * time.Second,
		Dial: b.dial})
	if err != nil {
		return nil, scrub(err, b.cfg.URL)
	}
	pub, err := conn.Channel()
	if err == nil && !b.cfg.NoConfirms {
		err = pub.Confirm(false)
	}
	if err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("open the publishing channel: %w", err)
	}
	b.watchReturns(pub.NotifyReturn(make(chan amqp091.Return, 16)))
	return &session{conn: conn, pub: pub, done: make(chan struct{}),
		exchanges: make(map[string]bool), deadLetters: make(map[string]bool), delayQueues: make(map[string]bool), consumers: make(map[string]*amqp091.Channel)}, nil
}

// watchReturns logs and counts the messages the server returns as
// unroutable (every publish is mandatory), until the channel closes.
// Publish still succeeds for them: a message no queue takes is dropped, as
// the contract says, but never silently.
func (b *Broker) watchReturns(returns <-chan amqp091.Return) {
	b.readers.Add(1)
	go func() {
		defer b.readers.Done()
		for r := range returns {
			target := r.RoutingKey
			if strings.HasPrefix(target, "amq.gen-") { // a reply queue, gone
				target = counts.ReplyTarget
			}
			b.counts.Unroutable(target)
			b.log.Warning().Str("target", r.RoutingKey).Str("exchange", r.Exchange).Str("reason", r.ReplyText).
				Msg("Message unroutable: no queue took it; dropped")
		}
	}()
}

// dial opens the TCP connection, abandoned when the broker closes; the
// deadline bounds the AMQP handshake too (the library clears it after).
func (b *Broker) dial(network, addr string) (net.Conn, error) {
	const timeout = 5 * time.Second
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(b.life, network, addr)
	if err != nil {
		return nil, err
	}
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return conn, nil
}

// serve installs s, restores the topology, and waits until the connection
// or the publishing channel closes, or the broker is closed.
func (b *Broker) serve(s *session) {
	// Buffered by one: the library sends at most one error, then closes
	// the channel, so it never blocks on us.
	connClosed := s.conn.NotifyClose(make(chan *amqp091.Error, 1))
	pubClosed := s.pub.NotifyClose(make(chan *amqp091.Error, 1))
	b.restore(s)
	b.mu.Lock()
	b.sess = s
	// Connected before ready: whoever WaitConnected lets go sees it.
	b.counts.SetConnected(true)
	close(b.ready)
	b.mu.Unlock()
	if b.served {
		b.counts.Reconnected()
	}
	b.served = true
	b.log.Notice().Msg("Connected to the AMQP server")

	var why error
	select {
	case e := <-connClosed:
		why = amqpErr(e, "connection closed")
	case e := <-pubClosed:
		why = amqpErr(e, "publishing channel closed")
	case <-b.life.Done():
	}
	b.mu.Lock()
	b.sess = nil
	b.ready = make(chan struct{})
	b.counts.SetConnected(false)
	b.mu.Unlock()
	_ = s.conn.Close() // returns every unacknowledged delivery to its queue
	close(s.done)
	if why != nil {
		b.log.Warning().Err(why).Msg("Lost the AMQP connection; reconnecting")
	}
}

// restore declares what the broker declared before and starts its
// consumers again. A failure is logged; if the connection is gone, the
// loop reconnects anyway.
func (b *Broker) restore(s *session) {
	b.mu.Lock()
	subs := append([]*subscription(nil), b.subs...)
	var exchanges []string
	for ex := range b.exchanges {
		exchanges = append(exchanges, ex)
	}
	closing := b.closing
	b.mu.Unlock()
	for _, ex := range exchanges {
		if err := s.ensureExchange(b, ex); err != nil {
			b.log.Error().Err(err).Str("exchange", ex).Msg("Cannot restore an exchange")
		}
	}
	if closing {
		return
	}
	for _, sub := range subs {
		if err := s.consume(b, sub); err != nil {
			b.log.Error().Err(err).Str("queue", sub.queue).Str("exchange", sub.opts.Exchange).Msg("Cannot restore a subscription")
		}
	}
}

func (s *session) lost() bool {
	select {
	case <-s.done:
		return true
	default:
		return s.conn.IsClosed() || s.pub.IsClosed()
	}
}

// awaitLoss waits for the session to end if it is failing, else pauses.
func (s *session) awaitLoss(ctx context.Context, pause time.Duration) error {
	if !s.lost() {
		t := time.NewTimer(pause)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
		if !s.lost() {
			return nil
		}
	}
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ensureExchange declares a (durable, topic) exchange once per session, on
// a channel of its own so that a refusal does not close the publishing
// channel. An exchange that exists with another type is used as it is.
func (s *session) ensureExchange(b *Broker, name string) error {
	if name == "" || strings.HasPrefix(name, "amq.") {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.exchanges[name] {
		return nil
	}
	ch, err := s.conn.Channel()
	if err != nil {
		return fmt.Errorf("declare exchange %q: %w", name, err)
	}
	err = ch.ExchangeDeclare(name, "topic", true, false, false, false, nil)
	var ae *amqp091.Error
	if errors.As(err, &ae) && ae.Code == amqp091.PreconditionFailed {
		err = nil // exists with another type or arguments: publish to it as it is
	}
	if err != nil {
		return fmt.Errorf("declare exchange %q: %w", name, err)
	}
	_ = ch.Close()
	s.exchanges[name] = true
	b.mu.Lock()
	b.exchanges[name] = true
	b.mu.Unlock()
	return nil
}

// ensureDeadLetter declares a dead-letter exchange once per session: the
// exchange (durable topic, or as it exists), and a durable classic queue of
// the same name bound to it with "#" (or as it exists), so that a
// dead-lettered message always has a queue to land in. A refusal is an
// error naming the exchange.
func (s *session) ensureDeadLetter(b *Broker, dlx string) error {
	if err := s.ensureExchange(b, dlx); err != nil {
		return fmt.Errorf("dead-letter exchange: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.deadLetters[dlx] {
		return nil
	}
	err := s.onChannel(func(ch *amqp091.Channel) error {
		_, err := ch.QueueDeclare(dlx, true, false, false, false, nil)
		return err
	})
	var ae *amqp091.Error
	if errors.As(err, &ae) && ae.Code == amqp091.PreconditionFailed {
		err = nil // exists with other arguments (say, a quorum queue): keep it
	}
	if err == nil {
		err = s.onChannel(func(ch *amqp091.Channel) error { return ch.QueueBind(dlx, "#", dlx, false, nil) })
	}
	if err != nil {
		return fmt.Errorf("dead-letter exchange %q: its queue %q: %w", dlx, dlx, err)
	}
	s.deadLetters[dlx] = true
	return nil
}

// onChannel runs fn on a channel of its own, closed after, so that a
// refusal (which closes the channel) does not disturb the others.
func (s *session) onChannel(fn func(*amqp091.Channel) error) error {
	ch, err := s.conn.Channel()
	if err != nil {
		return err
	}
	err = fn(ch)
	_ = ch.Close()
	return err
}

// cancelConsumers stops every consumer of the session; their delivery
// channels close once the server confirms, which ends the workers.
func (s *session) cancelConsumers() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for tag, ch := range s.consumers {
		_ = ch.Cancel(tag, false)
	}
}

// amqpErr turns a close notification into an error (nil: closed by us).
func amqpErr(e *amqp091.Error, what string) error {
	if e == nil {
		return errors.New(what)
	}
	return fmt.Errorf("%s: %w", what, e)
}

// scrub removes the URL from a dial error, should the library quote it.
func scrub(err error, url string) error {
	msg := err.Error()
	if url != "" && strings.Contains(msg, url) {
		return errors.New(strings.ReplaceAll(msg, url, RedactURL(url)))
	}
	return err
}
