package asabtest

import (
	"context"
	"sync"
	"time"

	"github.com/asabgo/asab/pubsub"
)

// Inbox collects the messages of one type that the application publishes,
// from Subscribe on, for the test to wait for. Its subscriber never blocks
// the publisher.
type Inbox struct {
	ta      *App
	msgType string
	mu      sync.Mutex
	got     []pubsub.Message
	next    int           // index of the first message Wait has not returned
	arrived chan struct{} // closed and replaced at each new message
}

// Subscribe starts collecting the messages of type msgType. Subscribe
// before whatever publishes them; the test's cleanup unsubscribes.
func (ta *App) Subscribe(msgType string) *Inbox {
	in := &Inbox{ta: ta, msgType: msgType, arrived: make(chan struct{})}
	sub := ta.Application.PubSub().Subscribe(msgType, in.add)
	ta.t.Cleanup(sub.Unsubscribe)
	return in
}

func (in *Inbox) add(m pubsub.Message) error {
	in.mu.Lock()
	in.got = append(in.got, m)
	close(in.arrived)
	in.arrived = make(chan struct{})
	in.mu.Unlock()
	return nil
}

// Wait returns the next message, in publishing order, for which match
// (nil: any message) returns true; the messages it passes over are skipped
// for later Waits too. The test fails if none comes before ctx is done or
// within StartTimeout (pass t.Context() when the timeout is enough).
func (in *Inbox) Wait(ctx context.Context, match func(pubsub.Message) bool) pubsub.Message {
	in.ta.t.Helper()
	timeout := time.NewTimer(StartTimeout)
	defer timeout.Stop()
	for {
		in.mu.Lock()
		for in.next < len(in.got) {
			m := in.got[in.next]
			in.next++
			if match == nil || match(m) {
				in.mu.Unlock()
				return m
			}
		}
		arrived := in.arrived
		in.mu.Unlock()
		select {
		case <-arrived:
		case <-ctx.Done():
			in.ta.t.Fatalf("asabtest: no matching %s before %v (%d seen)", in.msgType, context.Cause(ctx), in.Len())
			return pubsub.Message{}
		case <-timeout.C:
			in.ta.t.Fatalf("asabtest: no matching %s within %s (%d seen)", in.msgType, StartTimeout, in.Len())
			return pubsub.Message{}
		}
	}
}

// Len returns how many messages the inbox has collected so far.
func (in *Inbox) Len() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return len(in.got)
}
