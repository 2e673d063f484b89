package pubsub

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// ErrClosed is returned by Subscriber.Message once the subscriber is closed
// and its queue is empty.
var ErrClosed = errors.New("pubsub: subscriber closed")

// Overflow chooses what a Subscriber does with a message that arrives while
// its queue is full.
type Overflow int

const (
	// DropNewest discards the arriving message and counts it in Dropped.
	DropNewest Overflow = iota
	// DropOldest discards the oldest queued message to make room for the
	// arriving one, and counts it in Dropped.
	DropOldest
	// Block makes the publisher wait until there is room (or the subscriber
	// is closed). Hazard: one slow or stuck consumer then stalls every
	// publisher of its message types, including the application's tick and
	// lifecycle messages; and publishing synchronously from the consumer's own
	// goroutine into its full queue deadlocks. Prefer PublishAsync for such
	// types (the wait then happens on the subscriber's delivery goroutine,
	// though PubSub.Close still waits for it until the Subscriber is read or
	// closed) or a Drop policy.
	Block
)

// String returns the policy's name.
func (o Overflow) String() string {
	switch o {
	case DropNewest:
		return "DropNewest"
	case DropOldest:
		return "DropOldest"
	case Block:
		return "Block"
	}
	return fmt.Sprintf("Overflow(%d)", int(o))
}

// Subscriber is a bounded FIFO queue of messages of one or more types, meant
// to be consumed by a goroutine with Message or by receiving from C.
type Subscriber struct {
	ch      chan Message
	policy  Overflow
	dropped atomic.Uint64
	sub     *Subscription

	mu     sync.Mutex // serialises enqueuing and guards closed
	closed bool
	done   chan struct{}
	once   sync.Once
}

// NewSubscriber subscribes a new queue holding up to capacity messages
// (values below 1 mean 1) to msgTypes. Messages from Publish and PublishAsync
// are queued in the order they are delivered; policy decides what happens
// when the queue is full. Close it when done. It panics on an unknown policy.
func (p *PubSub) NewSubscriber(capacity int, policy Overflow, msgTypes ...string) *Subscriber {
	if policy < DropNewest || policy > Block {
		panic(fmt.Sprintf("pubsub: unknown overflow policy %v", policy))
	}
	capacity = max(capacity, 1)
	s := &Subscriber{
		ch:     make(chan Message, capacity),
		policy: policy,
		done:   make(chan struct{}),
	}
	handlers := make(map[string]Handler, len(msgTypes))
	for _, t := range msgTypes {
		handlers[t] = s.put
	}
	s.sub = p.SubscribeMany(handlers)
	return s
}

// put is the Subscriber's handler: it queues m according to the policy.
func (s *Subscriber) put(m Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	switch s.policy {
	case DropNewest:
		select {
		case s.ch <- m:
		default:
			s.dropped.Add(1)
		}
	case DropOldest:
		for {
			select {
			case s.ch <- m:
				return nil
			default:
			}
			select {
			case <-s.ch:
				s.dropped.Add(1)
			default:
			}
		}
	case Block:
		select {
		case s.ch <- m:
		case <-s.done:
		}
	}
	return nil
}

// Message returns the next queued message, waiting for one until ctx is done.
// After Close it returns the messages still queued, then ErrClosed.
func (s *Subscriber) Message(ctx context.Context) (Message, error) {
	select {
	case m, ok := <-s.ch:
		if !ok {
			return Message{}, ErrClosed
		}
		return m, nil
	case <-ctx.Done():
		return Message{}, fmt.Errorf("pubsub: waiting for subscriber message: %w", ctx.Err())
	}
}

// C returns the queue as a channel. It is closed by Close, after which the
// messages still queued can be received.
func (s *Subscriber) C() <-chan Message {
	return s.ch
}

// Dropped returns how many messages the overflow policy has discarded.
func (s *Subscriber) Dropped() uint64 {
	return s.dropped.Load()
}

// Close unsubscribes the subscriber, releases publishers blocked on it and
// closes the channel returned by C. It is idempotent.
func (s *Subscriber) Close() {
	s.once.Do(func() {
		close(s.done)
		s.sub.Unsubscribe()
		s.mu.Lock()
		s.closed = true
		close(s.ch)
		s.mu.Unlock()
	})
}
