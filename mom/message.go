package mom

import "context"

// Message is one message as a handler sees it, and as Request returns a reply.
type Message struct {
	// Body is the payload. A handler must not keep it after returning.
	Body []byte
	// Target is the routing key the message was published with. Inbound
	// messages are routed to the handler added for this target.
	Target string
	// Exchange is the exchange the message was published to ("" for the
	// default exchange, which delivers to the queue named Target).
	Exchange string
	// ContentType is the MIME type of Body as the publisher set it; a
	// reply carries the ContentType of its request.
	ContentType string
	// ContentEncoding names how Body is encoded (such as "gzip"), as the
	// publisher set it; the broker does not decode Body.
	ContentEncoding string
	// CorrelationID and ReplyTo make a request: when both are set, the
	// handler's return value is published to ReplyTo with the same
	// CorrelationID.
	CorrelationID string
	// ReplyTo is the routing key the reply is published to; see
	// CorrelationID.
	ReplyTo string
	// Headers are the application headers the publisher set; a reply
	// that carries ErrorHeader reports a failed handler.
	Headers map[string]any
	// Persistent asks the broker to store the message on disk.
	Persistent bool
	// Redelivered is true when the message was delivered before and was
	// requeued (by Retry, by a shutdown, or by a lost connection).
	Redelivered bool
	// Attempt is the number of this delivery, counted from 1. Brokers
	// that cannot count deliveries report 1 for a first delivery and at
	// least 2 for a redelivery.
	Attempt int
}

// PublishOptions are the properties of a published message.
type PublishOptions struct {
	// Exchange to publish to; "" is the default exchange, which delivers to
	// the queue named by the target.
	Exchange string
	// ContentType is the MIME type of the body, passed to the consumer
	// as it is.
	ContentType string
	// ContentEncoding names how the body is encoded (such as "gzip"); the
	// broker passes it on and neither encodes nor decodes the body.
	ContentEncoding string
	// CorrelationID, together with ReplyTo, makes the message a request:
	// the handler's reply is published to ReplyTo with this id. Request
	// sets both itself.
	CorrelationID string
	// ReplyTo is the routing key the reply is published to; see
	// CorrelationID.
	ReplyTo string
	// Headers are application headers sent with the message.
	Headers map[string]any
	// Persistent marks the message to be stored on disk by the broker
	// (AMQP delivery mode 2). The in-process broker keeps everything in
	// memory regardless.
	Persistent bool
}

// SubscribeOptions say where a subscription takes its messages from.
type SubscribeOptions struct {
	// Exchange, when set, makes the subscription consume an exclusive,
	// auto-delete queue bound to this (topic) exchange with RoutingKeys;
	// the queue name given to Subscribe may then be "" (a broker-named
	// queue). Without Exchange, Subscribe consumes the named durable queue.
	Exchange string
	// RoutingKeys are the binding keys on Exchange; topic patterns with
	// "*" (one word) and "#" (zero or more words) are allowed.
	RoutingKeys []string
	// DeadLetterExchange receives the messages that a handler rejected
	// (returned a non-Retry error). It is declared with the queue, so a
	// queue that exists without it must be deleted first (AMQP refuses to
	// redeclare a queue with other arguments).
	DeadLetterExchange string
	// Retry sets how a message whose handler returned Retry(err) is
	// delivered again: after which delay, and how many times before it is
	// dead-lettered. The zero value requeues at once without a limit.
	Retry RetryPolicy
}

// Handler handles one inbound message. Returning nil acknowledges the
// message; when the message carries ReplyTo and CorrelationID, the returned
// bytes are sent back as the reply. Returning an error rejects the message
// without requeueing it (a dead-letter exchange receives it when the queue
// has one) and, for a request, sends an error reply; returning Retry(err)
// requeues it for another delivery. ctx is cancelled when the broker is
// shutting down and the shutdown deadline has passed; a handler cut off that
// way has its message requeued.
type Handler func(ctx context.Context, msg *Message) ([]byte, error)
