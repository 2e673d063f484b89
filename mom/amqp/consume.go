package amqp

import (
	"context"

	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/internal/counts"
	amqp091 "github.com/rabbitmq/amqp091-go"
)

// consume declares the subscription's queue (and exchange and bindings) on
// a channel of its own and starts PrefetchCount workers on it. A
// subscription already consuming on this session is left alone.
func (s *session) consume(b *Broker, sub *subscription) error {
	if dlx := sub.opts.DeadLetterExchange; dlx != "" {
		if err := s.ensureDeadLetter(b, dlx); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.consumers[sub.tag]; ok {
		return nil
	}
	ch, err := s.conn.Channel()
	if err != nil {
		return err
	}
	deliveries, err := declareAndConsume(ch, b, sub)
	if err != nil {
		_ = ch.Close()
		return err
	}
	// Workers are counted under the broker's lock, so that none is added
	// once Close has begun waiting for them.
	b.mu.Lock()
	if b.closing {
		b.mu.Unlock()
		_ = ch.Close()
		return mom.ErrClosed
	}
	b.workers.Add(b.cfg.PrefetchCount)
	b.readers.Add(1)
	b.mu.Unlock()
	s.consumers[sub.tag] = ch
	s.watch(b, ch, sub)
	for range b.cfg.PrefetchCount {
		go func() {
			defer b.workers.Done()
			for d := range deliveries {
				b.handle(sub, d)
			}
		}()
	}
	return nil
}

// watch replaces the whole connection when the server closes a consumer's
// channel or cancels its consumer (its queue was deleted), so that the
// restore declares and consumes it again. Cancels of our own (Close) are
// not failures.
func (s *session) watch(b *Broker, ch *amqp091.Channel, sub *subscription) {
	closed := ch.NotifyClose(make(chan *amqp091.Error, 1))
	cancelled := ch.NotifyCancel(make(chan string, 1))
	go func() {
		defer b.readers.Done()
		var why string
		select {
		case e := <-closed:
			if e == nil {
				return
			}
			why = e.Error()
		case <-cancelled:
			why = "consumer cancelled by the server"
		case <-s.done:
			return
		}
		b.mu.Lock()
		closing := b.closing
		b.mu.Unlock()
		if !closing && !s.lost() {
			b.log.Warning().Str("queue", sub.queue).Str("reason", why).Msg("A subscription failed; reconnecting to restore it")
			_ = s.conn.Close()
		}
	}()
}

func declareAndConsume(ch *amqp091.Channel, b *Broker, sub *subscription) (<-chan amqp091.Delivery, error) {
	if err := ch.Qos(b.cfg.PrefetchCount, 0, false); err != nil {
		return nil, err
	}
	args := amqp091.Table{}
	if sub.opts.DeadLetterExchange != "" {
		args["x-dead-letter-exchange"] = sub.opts.DeadLetterExchange
	}
	exclusive := sub.opts.Exchange != ""
	if !exclusive && sub.qopts.Type == Quorum { // quorum queues cannot be exclusive
		args["x-queue-type"] = string(Quorum)
		if sub.qopts.DeliveryLimit > 0 {
			args["x-delivery-limit"] = sub.qopts.DeliveryLimit
		}
	}
	q, err := ch.QueueDeclare(sub.queue, !exclusive, exclusive, exclusive, false, args)
	if err != nil {
		return nil, err
	}
	if exclusive {
		if err := ch.ExchangeDeclare(sub.opts.Exchange, "topic", true, false, false, false, nil); err != nil {
			return nil, err
		}
		for _, key := range sub.opts.RoutingKeys {
			if err := ch.QueueBind(q.Name, key, sub.opts.Exchange, false, nil); err != nil {
				return nil, err
			}
		}
	}
	return ch.Consume(q.Name, sub.tag, false, exclusive, false, false, nil)
}

// handle runs the handler for one delivery and settles it. Once Close has
// begun, a delivery whose handler has not started is requeued; a handler
// cut off by the shutdown deadline has its message requeued whatever it
// returned (a handler that returns nil on a cancelled context has most
// likely not done its work). With a retry policy, Retry sends the message
// through a delay queue, or, out of attempts, to the dead-letter exchange
// (see retry.go).
func (b *Broker) handle(sub *subscription, d amqp091.Delivery) {
	label := sub.label
	b.counts.Consumed(label)
	if b.stopping.Load() {
		if err := d.Nack(false, true); err == nil {
			b.counts.Requeued(label)
		}
		b.log.Debug().Str("target", d.RoutingKey).Msg("Delivered while stopping; requeued")
		return
	}
	n, copied := attempt(d)
	msg := &mom.Message{Body: d.Body, Target: target(d), Exchange: d.Exchange, ContentType: d.ContentType,
		ContentEncoding: d.ContentEncoding, CorrelationID: d.CorrelationId, ReplyTo: d.ReplyTo,
		Headers: map[string]any(d.Headers), Persistent: d.DeliveryMode == amqp091.Persistent,
		Redelivered: d.Redelivered || copied, Attempt: n}
	out := b.router.DispatchFrom(b.hctx, sub.queue, msg, b.log)
	countAs := out.Action
	if b.hctx.Err() != nil {
		if out.Action == mom.Ack {
			b.log.Warning().Ctx(out.Ctx).Str("target", msg.Target).Msg("Handler returned after the shutdown cut it off; message requeued, not acknowledged")
		}
		out.Action, out.Reply, countAs = mom.Requeue, nil, mom.Requeue
	} else if out.Action == mom.Requeue && retrying(sub.opts.Retry) {
		out, countAs = b.retryLater(sub, d, msg, out)
	}
	if out.Reply != nil {
		b.reply(out.Ctx, out.Reply)
	}
	var err error
	switch out.Action {
	case mom.Ack:
		err = d.Ack(false)
	case mom.Reject:
		err = d.Reject(false)
	case mom.Requeue:
		err = d.Nack(false, true)
	}
	if err != nil { // the channel is gone: the server redelivers it
		b.log.Debug().Ctx(out.Ctx).Err(err).Str("target", msg.Target).Msg("Cannot settle a delivery; it will be redelivered")
		return
	}
	switch countAs {
	case mom.Ack:
		b.counts.Acked(label)
	case mom.Requeue:
		b.counts.Requeued(label)
	default:
		b.counts.Rejected(label)
	}
	if out.NoHandler && countAs == mom.Ack {
		b.counts.Dropped(label) // no handler (Dispatch logged it)
	}
	if out.Action == mom.Reject {
		if sub.opts.DeadLetterExchange != "" {
			b.counts.DeadLettered(label)
		} else {
			b.counts.Dropped(label)
			b.log.Warning().Ctx(out.Ctx).Str("target", msg.Target).Str("queue", sub.queue).Msg("Rejected message dropped: the subscription has no dead-letter exchange")
		}
	}
}

// reply publishes a handler's reply (or error reply) to its requester;
// hctx is the handler's context, for the line of a failure.
func (b *Broker) reply(hctx context.Context, r *mom.Message) {
	ctx, cancel := context.WithTimeout(b.hctx, b.cfg.RequestTimeout)
	err := b.publish(ctx, r.Body, r.Target, b.cfg.ReplyExchange, mom.PublishOptions{
		CorrelationID: r.CorrelationID, ContentType: r.ContentType, Headers: r.Headers})
	cancel()
	b.counts.Published(counts.ReplyTarget, err)
	if err != nil {
		b.log.Error().Ctx(hctx).Err(err).Str("reply_to", r.Target).Msg("Cannot send a reply")
	}
}

// replyQueue returns the session's exclusive reply queue, creating it and
// its auto-acknowledging consumer on first use.
func (s *session) replyQueue(b *Broker) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.replyQ != "" {
		return s.replyQ, nil
	}
	ch, err := s.conn.Channel()
	if err != nil {
		return "", err
	}
	q, err := ch.QueueDeclare("", false, true, true, false, nil)
	if err == nil && b.cfg.ReplyExchange != "" {
		if err = ch.ExchangeDeclare(b.cfg.ReplyExchange, "topic", true, false, false, false, nil); err == nil {
			err = ch.QueueBind(q.Name, q.Name, b.cfg.ReplyExchange, false, nil)
		}
	}
	var replies <-chan amqp091.Delivery
	if err == nil {
		replies, err = ch.Consume(q.Name, "", true, true, false, false, nil)
	}
	if err != nil {
		_ = ch.Close()
		return "", err
	}
	b.mu.Lock()
	if b.finished {
		b.mu.Unlock()
		_ = ch.Close()
		return "", mom.ErrClosed
	}
	b.readers.Add(1)
	b.mu.Unlock()
	go func() {
		defer b.readers.Done()
		for d := range replies {
			m := &mom.Message{Body: d.Body, Target: d.RoutingKey, ContentType: d.ContentType,
				ContentEncoding: d.ContentEncoding, CorrelationID: d.CorrelationId, Headers: map[string]any(d.Headers)}
			if !b.corr.Deliver(m) {
				b.log.Debug().Str("correlation_id", d.CorrelationId).Msg("Reply for no pending request; dropped")
			}
		}
	}()
	s.replyQ = q.Name
	return q.Name, nil
}

// attempt is the delivery's number, counted from 1, and whether the
// message is a copy made for a retry: the AttemptHeader of such a copy
// (plus one if the copy itself is redelivered), else a quorum queue's
// x-delivery-count (the earlier deliveries) plus one, else 2 for a
// redelivery and 1 for a first delivery.
func attempt(d amqp091.Delivery) (n int, copied bool) {
	if a, ok := intHeader(d.Headers[mom.AttemptHeader]); ok && a >= 1 {
		n = int(a)
		if d.Redelivered {
			n++
		}
		return n, n >= 2
	}
	if c, ok := intHeader(d.Headers["x-delivery-count"]); ok && c >= 0 {
		return int(c) + 1, false
	}
	if d.Redelivered {
		return 2, false
	}
	return 1, false
}

// target is the routing key the message was published with: a retry copy
// carries it in targetHeader, since it comes back from its delay queue
// under the queue's name.
func target(d amqp091.Delivery) string {
	if t, ok := d.Headers[targetHeader].(string); ok && t != "" {
		return t
	}
	return d.RoutingKey
}

// intHeader reads an integer header of any of the widths AMQP tables carry.
func intHeader(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int32:
		return int64(n), true
	case int16:
		return int64(n), true
	case int8:
		return int64(n), true
	case int:
		return int64(n), true
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	}
	return 0, false
}
