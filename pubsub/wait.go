package pubsub

import (
	"context"
	"fmt"
)

// Message waits for the next message of msgType published after the call
// starts, or until ctx is done, whichever comes first. The temporary
// subscription is removed before it returns.
func (p *PubSub) Message(ctx context.Context, msgType string) (Message, error) {
	ch := make(chan Message, 1)
	sub := p.Subscribe(msgType, func(m Message) error {
		select {
		case ch <- m:
		default: // already have one
		}
		return nil
	})
	defer sub.Unsubscribe()
	select {
	case m := <-ch:
		return m, nil
	case <-ctx.Done():
		return Message{}, fmt.Errorf("pubsub: waiting for %q: %w", msgType, ctx.Err())
	}
}
