package pubsub

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestMessageWaitsForType(t *testing.T) {
	p := New()
	got := make(chan Message, 1)
	go func() {
		m, err := p.Message(context.Background(), "ready!")
		if err != nil {
			t.Error(err)
		}
		got <- m
	}()
	// Publish until the waiter is subscribed and takes one.
	for i := 0; ; i++ {
		p.Publish("other!", i)
		p.Publish("ready!", i)
		select {
		case m := <-got:
			if m.Type != "ready!" {
				t.Fatalf("got %v", m)
			}
			// The temporary subscription is gone.
			if len(*p.topics.Load()) != 0 {
				t.Fatal("Message left its subscription behind")
			}
			return
		case <-time.After(time.Millisecond):
		}
	}
}

func TestMessageCancelled(t *testing.T) {
	p := New()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := p.Message(ctx, "never!")
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), `"never!"`) {
		t.Fatalf("err = %v, want Canceled naming the type", err)
	}
	if len(*p.topics.Load()) != 0 {
		t.Fatal("Message left its subscription behind")
	}
}
