// Package amqp is the AMQP 0-9-1 broker of asab's MOM (RabbitMQ), built on
// github.com/rabbitmq/amqp091-go. It implements mom.Broker with the same
// semantics as the in-process broker, and Module makes it configurable from
// [asab:mom:amqp] (url, appname, reconnect_delay, max_reconnect_delay,
// prefetch_count, exchange, reply_exchange, request_timeout,
// publisher_confirms, queue_type, delivery_limit).
//
// # Delivery guarantees
//
// Publisher confirms are on by default: Publish returns only once the
// server confirmed the message, or with an error (a context's included). A
// publish that meets a lost connection waits for the next connection,
// bounded by its context, and is sent again: a confirmed message is never
// lost (persistent messages on durable queues survive a broker restart),
// and a message may arrive twice (at-least-once; the fault test counts the
// duplicates). Consumers acknowledge after their handler; a connection lost
// mid-handler returns the message to its queue.
//
// # Reconnection: our own loop, not the library's
//
// Each broker runs one connection loop: dial, open a confirm-mode
// publishing channel, restore the topology (the exchanges it declared, its
// subscriptions' queues, bindings and consumers), serve until the
// connection or the publishing channel closes, then dial again with
// exponential backoff (reconnect_delay doubling up to max_reconnect_delay)
// for as long as the broker is open. Close notifications are registered
// with a one-slot buffer, which the library fills at most once, so it never
// blocks on them; confirmations use deferred confirmations, which the
// library settles (as nacks) when a channel closes, so no NotifyPublish
// channel can stall it.
//
// amqp091-go gained an opt-in automatic recovery in v1.12 (2026), with
// correctness fixes through v1.16. We do not use it because: it starts only
// after a first successful connection, while an application must start
// with its broker down; the contract needs publishes to wait across an
// outage and be re-sent when their confirmation was lost with the channel,
// which is publish-side logic it leaves to the caller anyway; exclusive
// reply queues get new names on every connection; and one small loop that
// owns backoff, topology and shutdown is easier to reason about and to
// test (see the fault test) than the interaction of ours with the
// library's. A failure anywhere in a connection replaces the whole
// connection.
//
// The URL carries credentials: it is never logged nor put in errors (see
// RedactURL).
//
// Tests need RabbitMQ at 127.0.0.1:5672 (guest/guest) and fail when it is
// unreachable, unless ASAB_SKIP_AMQP=1. They never stop or restart it: the
// fault tests break connections with a TCP proxy of their own, and restart a
// private RabbitMQ node that they start on free ports.
package amqp
