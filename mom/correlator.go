package mom

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Correlator matches replies to pending requests by correlation id. It is a
// building block for Broker implementations.
type Correlator struct {
	prefix  string
	n       atomic.Uint64
	mu      sync.Mutex
	waiting map[string]chan *Message
}

// NewCorrelator returns a Correlator whose ids start with a random prefix,
// so that ids from different processes do not collide.
func NewCorrelator() *Correlator {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &Correlator{prefix: hex.EncodeToString(b[:]) + "-", waiting: make(map[string]chan *Message)}
}

// Deliver hands a reply to the request waiting for its correlation id and
// reports whether one was waiting (late or foreign replies are not).
func (c *Correlator) Deliver(msg *Message) bool {
	c.mu.Lock()
	ch, ok := c.waiting[msg.CorrelationID]
	delete(c.waiting, msg.CorrelationID)
	c.mu.Unlock()
	if ok {
		ch <- msg // buffered, one slot: never blocks
	}
	return ok
}

// Pending returns the number of requests waiting for a reply.
func (c *Correlator) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.waiting)
}

// Do runs one request: it publishes with a fresh correlation id and replyTo
// through publish and waits for the reply, for ctx or, when ctx has no
// deadline, for timeout.
func (c *Correlator) Do(ctx context.Context, target, replyTo string, opts PublishOptions, timeout time.Duration,
	publish func(ctx context.Context, opts PublishOptions) error) (*Message, error) {
	if _, ok := ctx.Deadline(); !ok && timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	id := c.prefix + strconv.FormatUint(c.n.Add(1), 36)
	ch := make(chan *Message, 1)
	c.mu.Lock()
	c.waiting[id] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.waiting, id)
		c.mu.Unlock()
	}()
	opts.CorrelationID, opts.ReplyTo = id, replyTo
	if err := publish(ctx, opts); err != nil {
		return nil, fmt.Errorf("mom: request to %q: %w", target, err)
	}
	select {
	case reply := <-ch:
		if e, ok := reply.Headers[ErrorHeader]; ok {
			return nil, &RemoteError{Target: target, Message: fmt.Sprint(e)}
		}
		return reply, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("mom: request to %q: no reply: %w", target, ctx.Err())
	}
}
