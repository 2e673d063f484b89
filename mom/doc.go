// Package mom is message-oriented middleware for asab applications: one
// broker contract, the "asab.MOMService" that owns an application's
// brokers, and an in-process broker.
//
// # The contract
//
// A [Broker] publishes messages to a target (a routing key, on an exchange
// or on the default exchange, which delivers to the queue named by the
// target), subscribes to a named queue or to an exchange with routing keys,
// and routes every inbound message by its routing key to the [Handler]
// added for it with Add. Messages with no handler are dropped with a log
// line.
//
// Acknowledgement follows the handler's result: nil acknowledges; an error
// rejects without requeueing (to the queue's dead-letter exchange, when it
// has one); [Retry](err) requeues for another delivery. When the message
// carries ReplyTo and CorrelationID, the handler's return value is published
// as the reply (an error as a reply with the [ErrorHeader] header), which is
// how Request works: it publishes with a fresh correlation id and a reply
// queue of its own, and waits for the matching reply or its context.
//
// At shutdown a broker stops consuming, lets the handlers in flight finish
// until the deadline, then cancels their context; a handler cut off has its
// message requeued, so that another instance handles it.
//
// # Brokers
//
// [LocalBroker] is the in-process broker: the same contract and semantics,
// no server. Brokers made with [LocalBroker.Connect] share exchanges and
// queues like connections to one server (competing consumers, fan-out). It is the
// default broker, so examples and tests run without a server. The AMQP
// broker (RabbitMQ) lives in package mom/amqp, the NATS JetStream broker in
// mom/nats; package mom/momtest is the contract test suite all pass.
//
// # Retries
//
// SubscribeOptions.Retry (a [RetryPolicy]) makes Retry wait a backoff delay
// before the next delivery and, after the last attempt, dead-letter the
// message with [LastErrorHeader]; Message.Attempt numbers the deliveries.
// [ApplyRetry] is the building block brokers use for it.
//
// # Writing a broker
//
// Besides the user API, mom exports what a broker of another kind needs to
// keep the contract: [Router] and [Outcome] (dispatch to the handler and
// what to do with the message), [Correlator] (Request), [ApplyRetry] and
// [DeadLetterHeaders] (retries), [Starter] (connect at Initialize) and
// [Traced] (spans). The built-in brokers' message counts, behind the
// asab_mom_* metrics, are internal. docs/mom.md, "Writing a broker", says
// why each is exported.
//
// # The service
//
// [Module] registers [Service] as "asab.MOMService" ([NewService] builds it
// without registering, as every asab module's NewService does). It makes a broker per
// configuration section [asab:mom:KIND] or [asab:mom:KIND:NAME]; the
// default broker (Service.Default, Service.Broker("")) is the first non-local
// one, else the in-process "local" broker. At exit-time the service closes
// every broker within the application's shutdown deadline. mom/amqp.Module
// is the same module with the "amqp" kind linked in.
package mom
