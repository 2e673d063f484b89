package amqp

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/asabgo/asab/mom"
	amqp091 "github.com/rabbitmq/amqp091-go"
)

// targetHeader carries the original routing key on a retry copy.
const targetHeader = "x-asab-target"

// retrying reports whether a policy asks for more than the plain requeue.
func retrying(p mom.RetryPolicy) bool { return p.MaxAttempts > 0 || p.InitialDelay > 0 }

// delayQueue names the queue where copies of queue's messages wait delay
// before they return to queue.
func delayQueue(queue string, delay time.Duration) string {
	return queue + ".retry." + strconv.FormatInt(delay.Milliseconds(), 10) + "ms"
}

// retryLater handles a Retry under the subscription's policy. Delivery
// number n failed with cause:
//
//   - attempts left: a copy, with AttemptHeader n+1, targetHeader and
//     LastErrorHeader, is published (confirmed) to the delay queue of the
//     policy's delay, whose per-queue TTL dead-letters it back to the
//     subscription's queue once the delay is over (a delay of 0 publishes
//     it to the tail of the queue itself); the original is acknowledged;
//   - out of attempts: a copy with LastErrorHeader goes to the
//     dead-letter exchange under its original routing key (confirmed) and
//     the original is acknowledged; without a dead-letter exchange it is
//     dropped, with a log line and a count. A request gets an error reply.
//
// When the copy cannot be published, the original is requeued as it is.
// It returns what to do with the original and how to count it: Requeue
// for a retry, Reject for a message out of attempts. handled is the
// router's outcome: its Err is the handler's error, its Ctx the handler's
// context, for the lines logged and the error reply's trace context.
func (b *Broker) retryLater(sub *subscription, d amqp091.Delivery, msg *mom.Message, handled mom.Outcome) (mom.Outcome, mom.Action) {
	p := sub.opts.Retry
	cause, hctx := handled.Err, handled.Ctx
	n := msg.Attempt
	if inner := errors.Unwrap(cause); inner != nil && mom.IsRetry(cause) {
		cause = inner // the handler's own words, without Retry's prefix
	}
	headers := amqp091.Table{}
	for k, v := range d.Headers {
		headers[k] = v
	}
	headers[mom.LastErrorHeader] = cause.Error()
	headers[targetHeader] = msg.Target
	opts := mom.PublishOptions{ContentType: d.ContentType, ContentEncoding: d.ContentEncoding,
		CorrelationID: d.CorrelationId, ReplyTo: d.ReplyTo, Persistent: d.DeliveryMode == amqp091.Persistent}
	ctx, cancel := context.WithTimeout(b.hctx, b.cfg.RequestTimeout)
	defer cancel()
	log := b.log.Warning().Ctx(hctx).Str("target", msg.Target).Str("queue", sub.queue).Int("attempt", n).Str("last_error", cause.Error())

	if p.Exhausted(n) {
		out := mom.Outcome{Ctx: hctx}
		if msg.ReplyTo != "" && msg.CorrelationID != "" {
			out.Reply = &mom.Message{Target: msg.ReplyTo, CorrelationID: msg.CorrelationID,
				Headers: b.router.Tracer().InjectHeaders(hctx, map[string]any{mom.ErrorHeader: cause.Error()})}
		}
		dlx := sub.opts.DeadLetterExchange
		if dlx == "" {
			b.counts.Dropped(sub.label)
			log.Msg("Retries exhausted; message dropped: the subscription has no dead-letter exchange")
			return out, mom.Reject
		}
		headers[mom.AttemptHeader] = n
		opts.Headers = headers
		if err := b.publish(ctx, d.Body, msg.Target, dlx, opts); err != nil {
			b.log.Error().Ctx(hctx).Err(err).Str("queue", sub.queue).Msg("Cannot dead-letter a message out of attempts; requeued")
			return mom.Outcome{Action: mom.Requeue, Ctx: hctx}, mom.Requeue
		}
		b.counts.DeadLettered(sub.label)
		log.Str("dead_letter_exchange", dlx).Msg("Retries exhausted; message dead-lettered")
		return out, mom.Reject
	}

	delay := p.Delay(n)
	headers[mom.AttemptHeader] = n + 1
	opts.Headers = headers
	to := sub.queue
	if delay >= time.Millisecond {
		to = delayQueue(sub.queue, delay)
		if err := b.ensureDelayQueue(ctx, to, delay, sub.queue); err != nil {
			b.log.Error().Ctx(hctx).Err(err).Str("queue", sub.queue).Msg("Cannot declare a delay queue; message requeued at once")
			return mom.Outcome{Action: mom.Requeue, Ctx: hctx}, mom.Requeue
		}
	}
	if err := b.publish(ctx, d.Body, to, "", opts); err != nil {
		b.log.Error().Ctx(hctx).Err(err).Str("queue", sub.queue).Msg("Cannot publish a message for its retry; requeued at once")
		return mom.Outcome{Action: mom.Requeue, Ctx: hctx}, mom.Requeue
	}
	b.log.Debug().Ctx(hctx).Str("target", msg.Target).Int("attempt", n).Dur("delay", delay).Msg("Message retried after its delay")
	return mom.Outcome{Action: mom.Ack, Ctx: hctx}, mom.Requeue
}

// ensureDelayQueue declares, once per session, the durable classic queue
// name whose messages expire after delay and are then dead-lettered,
// through the default exchange, back to queue.
func (b *Broker) ensureDelayQueue(ctx context.Context, name string, delay time.Duration, queue string) error {
	s, err := b.session(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.delayQueues[name] {
		return nil
	}
	err = s.onChannel(func(ch *amqp091.Channel) error {
		_, err := ch.QueueDeclare(name, true, false, false, false, amqp091.Table{
			"x-message-ttl":             delay.Milliseconds(),
			"x-dead-letter-exchange":    "",
			"x-dead-letter-routing-key": queue,
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("declare the delay queue %q: %w", name, err)
	}
	s.delayQueues[name] = true
	return nil
}
