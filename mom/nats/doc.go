// Package nats is the NATS JetStream broker of asab's MOM, built on
// github.com/nats-io/nats.go and its jetstream package. It implements
// mom.Broker with the same semantics as the in-process and AMQP brokers, and
// Module makes it configurable from [asab:mom:nats] (see FromConfig for the
// keys).
//
// # Subjects for exchanges, routing keys and queues
//
// Every message is stored in one stream (key stream, created when missing
// with the configured subjects, storage and retention). A message published
// to target T on the default exchange has subject T; on exchange X it has
// subject X.T (and a header naming X, so that the consumer sees Target T and
// Exchange X again). Subscribe to queue Q consumes with the durable consumer
// named durable_Q (dots and wildcards replaced by "_"), filtered on subject
// Q: every instance with the same names shares it (competing consumers).
// Subscribe on exchange X with routing keys consumes X's subjects through
// an ephemeral consumer of its own (fan-out: each subscriber gets every
// message, from its subscription on) or, when a queue name is given too,
// through that queue's durable consumer. Routing keys are AMQP topic
// patterns: "*" is a NATS "*", a final "#" a NATS ">" (which, unlike "#",
// needs at least one word); several keys share one consumer on X.> and are
// matched on the client (nats-server 2.9 has one filter per consumer).
//
// # Delivery guarantees
//
// Publish returns nil only once the server stored the message (its
// PubAck). A publish that meets a lost connection or a lost PubAck is sent
// again until its context ends; with Config.Deduplicate each publish carries
// a message id (Nats-Msg-Id) and the server's duplicate window drops the
// copies, otherwise such a message may be stored twice. Consumers acknowledge
// after their handler (Ack), terminate on an error (Term, after publishing
// the message to the dead-letter exchange, if any), and NakWithDelay on
// Retry with the subscription's RetryPolicy backoff; the attempt number is
// the server's delivery count. A message unacknowledged for ack_wait (a
// handler that hangs, a process that died) is delivered again, after the
// backoff delays when they are configured, up to max_deliver deliveries.
//
// # Requests
//
// A request is stored like any message, with ReplyTo set to the requesting
// broker's inbox; the reply travels as a core NATS message (like an AMQP
// reply queue, it is not stored: a requester that disconnects loses it).
//
// # Reconnection
//
// The client reconnects for as long as the broker is open (it starts even
// while the server is down); core subscriptions are restored by the client,
// and each subscription's loop creates its consumer again when the server
// reports it gone.
//
// Tests need nats-server with JetStream at 127.0.0.1:4222 and fail when it
// is unreachable, unless ASAB_SKIP_NATS=1; the restart test starts a private
// nats-server from PATH or /usr/sbin.
package nats
