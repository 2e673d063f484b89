package pubsub

import (
	"log/slog"
	"sync"
	"sync/atomic"
)

// Message is one published message: its type and the publisher's arguments.
// Args is shared by all subscribers of the message; treat it as read-only.
type Message struct {
	// Type is the message type it was published with, such as
	// "Application.tick!".
	Type string
	// Args are the arguments passed to Publish or PublishAsync after the
	// type, in order.
	Args []any
}

// Handler receives a message. A non-nil error is passed to the bus's error
// handler together with the message type; it does not stop delivery to the
// other subscribers.
type Handler func(Message) error

// PubSub is a message bus. Create it with New; the zero value is not usable.
type PubSub struct {
	// topics points to an immutable map from message type to its topic.
	// Writers (subscribe/unsubscribe) hold mu and replace the map or a
	// topic's subscriber slice; Publish only does atomic loads.
	topics atomic.Pointer[map[string]*topic]
	mu     sync.Mutex

	// counts points to an immutable map from message type to the number of
	// messages of that type published (see published.go); it only grows,
	// under mu.
	counts atomic.Pointer[map[string]*atomic.Uint64]

	onError func(msgType string, err error)

	// async guards closed against PublishAsync: PublishAsync holds the read
	// lock while it enqueues, Close takes the write lock to set closed.
	async   sync.RWMutex
	closed  bool
	workers sync.WaitGroup
}

// topic holds the subscribers of one message type as an immutable slice that
// is replaced (copy-on-write) whenever the set changes.
type topic struct {
	subs atomic.Pointer[[]*entry]
	// published links to the type's entry in PubSub.counts once the type
	// has been published, so Publish counts without a second lookup.
	published atomic.Pointer[atomic.Uint64]
}

// Option configures a PubSub created by New.
type Option func(*PubSub)

// WithErrorHandler sets the function called when a handler returns an error
// or panics (the panic is recovered and passed as a *PanicError carrying the
// stack). It is called in the goroutine that ran the handler. The default logs
// through slog.Default() at ERROR level with the message type.
func WithErrorHandler(fn func(msgType string, err error)) Option {
	return func(p *PubSub) {
		if fn != nil {
			p.onError = fn
		}
	}
}

// New returns an empty message bus.
func New(opts ...Option) *PubSub {
	p := &PubSub{onError: logError}
	empty := map[string]*topic{}
	p.topics.Store(&empty)
	noCounts := map[string]*atomic.Uint64{}
	p.counts.Store(&noCounts)
	for _, o := range opts {
		o(p)
	}
	return p
}

// Publish delivers a message synchronously: every handler subscribed to
// msgType when Publish starts is called in subscription order in the calling
// goroutine, and Publish returns after the last one. Errors and panics of a
// handler go to the error handler and do not stop the others. Handlers
// unsubscribed while the publish is in progress are not called any more;
// handlers subscribed meanwhile do not receive this message.
func (p *PubSub) Publish(msgType string, args ...any) {
	t := (*p.topics.Load())[msgType]
	p.countPublished(msgType, t)
	if t == nil {
		return
	}
	subs := *t.subs.Load()
	if len(subs) == 0 {
		return
	}
	m := Message{Type: msgType, Args: args}
	for i := 0; i < len(subs); {
		i = p.callFrom(subs, i, m)
	}
}

// subscribers returns the current snapshot of msgType's subscribers.
func (p *PubSub) subscribers(msgType string) []*entry {
	t := (*p.topics.Load())[msgType]
	if t == nil {
		return nil
	}
	return *t.subs.Load()
}

// callFrom calls the handlers subs[i:] in order, skipping unsubscribed ones,
// and returns len(subs); if one panics it reports the panic and returns the
// index after it, so Publish resumes there. One deferred recover covers the
// whole run, keeping the no-panic path cheap.
func (p *PubSub) callFrom(subs []*entry, i int, m Message) (next int) {
	defer func() {
		if r := recover(); r != nil {
			p.onError(m.Type, newPanicError(r))
			next = i + 1
		}
	}()
	for ; i < len(subs); i++ {
		e := subs[i]
		if e.removed.Load() {
			continue
		}
		if err := e.h(m); err != nil {
			p.onError(m.Type, err)
		}
	}
	return len(subs)
}

// call runs one handler, routing its error or panic to the error handler.
func (p *PubSub) call(e *entry, m Message) {
	defer func() {
		if r := recover(); r != nil {
			p.onError(m.Type, newPanicError(r))
		}
	}()
	if err := e.h(m); err != nil {
		p.onError(m.Type, err)
	}
}

// logError is the default error handler.
func logError(msgType string, err error) {
	if pe, ok := err.(*PanicError); ok {
		slog.Default().Error("pubsub: subscriber panicked",
			"type", msgType, "panic", pe.Value, "stack", string(pe.Stack))
		return
	}
	slog.Default().Error("pubsub: subscriber failed", "type", msgType, "error", err)
}
