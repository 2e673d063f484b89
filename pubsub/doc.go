// Package pubsub is the in-process publish/subscribe message bus of asab.
//
// Components talk to each other without knowing each other: a publisher sends a
// message of some type (a string that by convention ends in "!", such as
// "Application.tick!") and every subscriber of that type receives it. The
// application owns one bus and publishes its lifecycle messages on it (Init,
// Run, Stop, Exit, Hup, Tick and the TickN series); services add their own types.
//
// Subscribing returns a *Subscription handle; Go functions are not comparable,
// so unsubscribing goes through that handle. Handlers are held by strong
// references: a closure stays subscribed until its handle is unsubscribed.
//
// Delivery comes in three shapes:
//
//   - Publish calls the handlers synchronously, in subscription order, in the
//     publisher's goroutine. An error returned by a handler or a panic inside it
//     is passed to the error handler (see WithErrorHandler; by default it is
//     logged at ERROR through log/slog) and the remaining handlers still run.
//   - PublishAsync returns at once. Each subscription has its own FIFO queue and
//     at most one delivery goroutine, so every handler sees async messages in
//     publish order, one at a time. Close drains the queues and stops those
//     goroutines.
//   - A Subscriber is a bounded FIFO queue of messages of several types, read
//     with Message(ctx) or as a channel with C(). What happens when it is full
//     is chosen explicitly with an Overflow policy.
//
// Message(ctx, type) waits for the next message of one type.
//
// Subscribing and unsubscribing are allowed at any time, from any goroutine and
// from inside a handler. Publish works on a snapshot of the subscriber list
// taken when it starts: a subscription added during a publish does not receive
// that message, while a subscription removed during a publish is not called
// from then on (and removing one never makes another one be skipped).
//
// The bus counts the messages published per type, subscribed or not, at the
// cost of one atomic increment per publish; Published reads the counts (the
// metrics package exposes them as asab_pubsub_published_total).
//
// All methods are safe for concurrent use.
package pubsub
