package mom

import "context"

// Broker is the contract every message broker implements: the in-process
// [LocalBroker] and the AMQP broker in package mom/amqp.
//
// Every method is safe for concurrent use.
type Broker interface {
	// Publish sends body with routing key target. It returns once the
	// broker has taken the message (for AMQP: confirmed it), or with an
	// error, including ctx's when ctx ends first.
	Publish(ctx context.Context, body []byte, target string, opts PublishOptions) error

	// Subscribe starts consuming a queue (see SubscribeOptions). Messages
	// are routed by their routing key to the handler added with Add.
	Subscribe(ctx context.Context, queue string, opts SubscribeOptions) error

	// Add sets the handler for inbound messages whose routing key is
	// target. Messages with no handler are dropped with a log line
	// (acknowledged, so they do not loop).
	Add(target string, h Handler) error

	// Request publishes body to target as a request and waits for its
	// reply: the reply's body and properties, or a *RemoteError when the
	// handler failed. Without a deadline on ctx the broker's
	// request_timeout applies.
	Request(ctx context.Context, body []byte, target string, opts PublishOptions) (*Message, error)

	// Close stops consuming, waits for the handlers in flight until ctx
	// ends, requeues the messages whose handlers did not finish, and
	// releases the broker. Close is idempotent.
	Close(ctx context.Context) error
}
