package mom

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asabgo/asab/logging"
)

// Router maps targets (routing keys) to handlers. It is a building block
// for Broker implementations; applications use Broker.Add.
type Router struct {
	mu       sync.RWMutex
	handlers map[string]Handler
	tracer   atomic.Pointer[tracerBox] // see SetTracer
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
// error rejects (dead-lettering it where configured), Retry requeues, and
// a Retry on the last attempt a RetryPolicy allows dead-letters (see
// ApplyRetry).
const (
	Ack Action = iota
	Reject
	Requeue
	DeadLetter
)

// Outcome is the result of dispatching one message.
type Outcome struct {
	// Action says whether the broker acknowledges, rejects or requeues
	// the message.
	Action Action
	// Reply is set when the message is a request (ReplyTo and
	// CorrelationID) and a reply must be published.
	Reply *Message
	// Err is the handler's error (nil on success and when the target had
	// no handler); brokers put its text in LastErrorHeader when they
	// dead-letter the message.
	Err error
	// NoHandler is true when no handler was added for the target: the
	// message was dropped (acknowledged) and counts as unroutable.
	NoHandler bool
	// Delay is how long a Requeue waits before the message is delivered
	// again (set by ApplyRetry; 0 requeues at once).
	Delay time.Duration
	// Ctx is the context the handler ran in (with a tracer, its consumer
	// span), nil when no handler ran: brokers log their own lines about
	// the message with it (Event.Ctx), so those carry the trace's ids, and
	// make the headers of a reply of their own from it.
	Ctx context.Context
}

// Dispatch is DispatchFrom with the queue not known.
func (r *Router) Dispatch(ctx context.Context, msg *Message, log *logging.Logger) Outcome {
	return r.DispatchFrom(ctx, "", msg, log)
}

// DispatchFrom runs the handler for msg.Target and decides what happens to the
// message and whether a reply is due. A missing handler is logged and the
// message acknowledged (dropped); a panicking handler counts as an error.
// With a tracer (SetTracer) the handler runs in a consumer span continued
// from the message's headers, its log lines here carry the span's ids, and
// a reply's headers carry the span's trace context; queue is the name the
// broker's subscription was made with ("" for a server-named queue), for
// the span's messaging.destination.subscription.name. Every handled
// message gets an access-log line (see [AccessLogger]).
// It is a building block for Broker implementations.
func (r *Router) DispatchFrom(ctx context.Context, queue string, msg *Message, log *logging.Logger) Outcome {
	h, ok := r.Lookup(msg.Target)
	if !ok {
		log.Warning().Str("target", msg.Target).Str("exchange", msg.Exchange).Msg("No handler for inbound message; dropped")
		return Outcome{Action: Ack, NoHandler: true}
	}
	tr, system := r.tracing()
	hctx, end := tr.StartConsume(ctx, system, queue, msg.Target, msg.Headers)
	var start time.Time
	logged := accessLog.Enabled(logging.LevelInfo)
	if logged {
		start = time.Now()
	}
	body, err := callHandler(hctx, h, msg)
	end(err)
	out := decide(ctx, hctx, tr, msg, body, err, log)
	out.Ctx = hctx
	if logged {
		logAccess(hctx, queue, msg, out, time.Since(start))
	}
	return out
}

// decide turns a handler's result into the outcome: nil acknowledges (with
// the reply to a request), a shutdown's cut-off and Retry requeue, any
// other error rejects (with an error reply to a request).
func decide(ctx, hctx context.Context, tr Tracer, msg *Message, body []byte, err error, log *logging.Logger) Outcome {
	isRequest := msg.ReplyTo != "" && msg.CorrelationID != ""
	switch {
	case err == nil:
		out := Outcome{Action: Ack}
		if isRequest {
			out.Reply = &Message{Body: body, Target: msg.ReplyTo, CorrelationID: msg.CorrelationID, ContentType: msg.ContentType,
				Headers: tr.InjectHeaders(hctx, nil)}
		}
		return out
	case ctx.Err() != nil:
		log.Warning().Ctx(hctx).Str("target", msg.Target).Err(err).Msg("Handler cut off by the shutdown; message requeued")
		return Outcome{Action: Requeue, Err: err}
	case IsRetry(err):
		log.Info().Ctx(hctx).Str("target", msg.Target).Int("attempt", msg.Attempt).Err(err).Msg("Handler asked to retry; message requeued")
		return Outcome{Action: Requeue, Err: err}
	default:
		log.Error().Ctx(hctx).Str("target", msg.Target).Err(err).Msg("Handler failed; message rejected")
		out := Outcome{Action: Reject, Err: err}
		if isRequest {
			out.Reply = &Message{Target: msg.ReplyTo, CorrelationID: msg.CorrelationID,
				Headers: tr.InjectHeaders(hctx, map[string]any{ErrorHeader: err.Error()})}
		}
		return out
	}
}

// AccessLogger names the logger of the MOM access log: one INFO line per
// message a handler ran for, on every broker, with target, queue and
// exchange (when known), outcome (ack, reject or requeue: the handler's
// verdict, before a retry policy may turn a requeue into a dead letter),
// attempt (when the broker counts deliveries), duration (in seconds), the
// handler's error, and, inside a consumer span, trace_id and span_id. The
// default NOTICE threshold hides it; `[logging] levels = asab.mom.al INFO`
// shows it. While it is hidden a message pays one threshold check.
const AccessLogger = "asab.mom.al"

var accessLog = logging.Get(AccessLogger)

var actionNames = [...]string{Ack: "ack", Reject: "reject", Requeue: "requeue", DeadLetter: "dead-letter"}

func logAccess(ctx context.Context, queue string, msg *Message, out Outcome, took time.Duration) {
	ev := accessLog.Info().Ctx(ctx).Str("target", msg.Target)
	if queue != "" {
		ev = ev.Str("queue", queue)
	}
	if msg.Exchange != "" {
		ev = ev.Str("exchange", msg.Exchange)
	}
	ev = ev.Str("outcome", actionNames[out.Action])
	if msg.Attempt > 0 {
		ev = ev.Int("attempt", msg.Attempt)
	}
	ev = ev.Float64("duration", took.Seconds())
	if out.Err != nil {
		ev = ev.Str("error", out.Err.Error())
	}
	ev.Send()
}

// ApplyRetry applies a subscription's retry policy to the outcome of
// delivery number attempt: a Retry (not a shutdown's requeue) waits the
// policy's Delay before the next delivery, and on the policy's last attempt
// becomes DeadLetter, logged with the handler's error. Other outcomes pass
// through. It is a building block for Broker implementations.
func ApplyRetry(out Outcome, p RetryPolicy, attempt int, msg *Message, log *logging.Logger) Outcome {
	if out.Action != Requeue || out.Err == nil || !IsRetry(out.Err) {
		return out
	}
	if p.Exhausted(attempt) {
		log.Error().Ctx(out.Ctx).Str("target", msg.Target).Int("attempt", attempt).Err(out.Err).
			Msg("Handler asked to retry on the last attempt; message goes to the dead-letter destination")
		out.Action = DeadLetter
		return out
	}
	out.Delay = p.Delay(attempt)
	return out
}

// DeadLetterHeaders returns a copy of headers with LastErrorHeader set to
// err's text and AttemptHeader to attempt, for a message a broker
// dead-letters.
func DeadLetterHeaders(headers map[string]any, err error, attempt int) map[string]any {
	h := make(map[string]any, len(headers)+2)
	for k, v := range headers {
		h[k] = v
	}
	if err != nil {
		var r *retryError
		if errors.As(err, &r) {
			err = r.err // the handler's own error, without Retry's wrapper
		}
		h[LastErrorHeader] = err.Error()
	}
	if attempt > 0 {
		h[AttemptHeader] = strconv.Itoa(attempt)
	}
	return h
}

func callHandler(ctx context.Context, h Handler, msg *Message) (body []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler for %q panicked: %v\n%s", msg.Target, p, debug.Stack())
		}
	}()
	return h(ctx, msg)
}
