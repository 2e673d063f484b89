package mom

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/asabgo/asab/logging"
)

// Router maps targets (routing keys) to handlers. It is a building block
// for Broker implementations; applications use Broker.Add.
type Router struct {
	mu       sync.RWMutex
	handlers map[string]Handler
}

// Add sets the handler for target, replacing an earlier one.
func (r *Router) Add(target string, h Handler) error {
	if h == nil {
		return fmt.Errorf("mom: add handler for %q: handler is nil", target)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.handlers == nil {
		r.handlers = make(map[string]Handler)
	}
	r.handlers[target] = h
	return nil
}

// Lookup returns the handler for target.
func (r *Router) Lookup(target string) (Handler, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	h, ok := r.handlers[target]
	return h, ok
}

// Action is what a broker does with a message once its handler returned.
type Action int

// The actions, in the order of the contract: success acknowledges, an
// error rejects (dead-lettering it where configured), Retry requeues.
const (
	Ack Action = iota
	Reject
	Requeue
)

// Outcome is the result of dispatching one message.
type Outcome struct {
	// Action says whether the broker acknowledges, rejects or requeues
	// the message.
	Action Action
	// Reply is set when the message is a request (ReplyTo and
	// CorrelationID) and a reply must be published.
	Reply *Message
	// Err is the handler's error (nil when it succeeded or there was no
	// handler), for brokers that record it, as in LastErrorHeader.
	Err error
}

// Dispatch runs the handler for msg.Target and decides what happens to the
// message and whether a reply is due. A missing handler is logged and the
// message acknowledged (dropped); a panicking handler counts as an error.
// It is a building block for Broker implementations.
func (r *Router) Dispatch(ctx context.Context, msg *Message, log *logging.Logger) Outcome {
	h, ok := r.Lookup(msg.Target)
	if !ok {
		log.Warning().Str("target", msg.Target).Str("exchange", msg.Exchange).Msg("No handler for inbound message; dropped")
		return Outcome{Action: Ack}
	}
	body, err := callHandler(ctx, h, msg)
	isRequest := msg.ReplyTo != "" && msg.CorrelationID != ""
	switch {
	case err == nil:
		out := Outcome{Action: Ack}
		if isRequest {
			out.Reply = &Message{Body: body, Target: msg.ReplyTo, CorrelationID: msg.CorrelationID, ContentType: msg.ContentType}
		}
		return out
	case ctx.Err() != nil:
		log.Warning().Str("target", msg.Target).Err(err).Msg("Handler cut off by the shutdown; message requeued")
		return Outcome{Action: Requeue, Err: err}
	case IsRetry(err):
		log.Info().Str("target", msg.Target).Err(err).Msg("Handler asked to retry; message requeued")
		return Outcome{Action: Requeue, Err: err}
	default:
		log.Error().Str("target", msg.Target).Err(err).Msg("Handler failed; message rejected")
		out := Outcome{Action: Reject, Err: err}
		if isRequest {
			out.Reply = &Message{Target: msg.ReplyTo, CorrelationID: msg.CorrelationID,
				Headers: map[string]any{ErrorHeader: err.Error()}}
		}
		return out
	}
}

func callHandler(ctx context.Context, h Handler, msg *Message) (body []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler for %q panicked: %v\n%s", msg.Target, p, debug.Stack())
		}
	}()
	return h(ctx, msg)
}
