package mom_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/asabgo/asab/mom"
)

// TestLocalCloseReturnsDelayedRetries: a message waiting out its retry
// delay when its broker closes goes back to its queue at once, so another
// broker on the same in-memory server handles it (none is lost in the timer).
func TestLocalCloseReturnsDelayedRetries(t *testing.T) {
	b := mom.NewLocalBroker(mom.LocalOptions{})
	tried := make(chan struct{}, 1)
	_ = b.Add("jobs", func(context.Context, *mom.Message) ([]byte, error) {
		tried <- struct{}{}
		return nil, mom.Retry(errors.New("later"))
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.Subscribe(ctx, "jobs", mom.SubscribeOptions{Retry: mom.RetryPolicy{InitialDelay: time.Hour}}); err != nil {
		t.Fatal(err)
	}
	if err := b.Publish(ctx, []byte("x"), "jobs", mom.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	<-tried
	if err := b.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n := b.QueueLen("jobs"); n != 1 {
		t.Fatalf("queue holds %d messages after Close, want the delayed one back", n)
	}
	b2 := b.Connect(mom.LocalOptions{})
	defer b2.Close(context.Background())
	got := make(chan *mom.Message, 1)
	_ = b2.Add("jobs", func(_ context.Context, m *mom.Message) ([]byte, error) {
		got <- m
		return nil, nil
	})
	if err := b2.Subscribe(ctx, "jobs", mom.SubscribeOptions{}); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-got:
		if m.Attempt != 2 || !m.Redelivered {
			t.Fatalf("attempt %d redelivered %v, want the second attempt", m.Attempt, m.Redelivered)
		}
	case <-ctx.Done():
		t.Fatal("the delayed message was lost")
	}
}

// TestLocalDropCounters: unroutable and dead-lettered messages are counted.
func TestLocalDropCounters(t *testing.T) {
	b := mom.NewLocalBroker(mom.LocalOptions{})
	defer b.Close(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	dead := make(chan *mom.Message, 1)
	_ = b.Add("jobs", func(_ context.Context, m *mom.Message) ([]byte, error) {
		if m.Exchange == "dlx" {
			dead <- m
			return nil, nil
		}
		return nil, errors.New("bad")
	})
	if err := b.Subscribe(ctx, "", mom.SubscribeOptions{Exchange: "dlx", RoutingKeys: []string{"#"}}); err != nil {
		t.Fatal(err)
	}
	if err := b.Subscribe(ctx, "jobs", mom.SubscribeOptions{DeadLetterExchange: "dlx"}); err != nil {
		t.Fatal(err)
	}
	if err := b.Subscribe(ctx, "nohandler", mom.SubscribeOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"jobs", "nowhere", "nohandler"} {
		if err := b.Publish(ctx, []byte("x"), target, mom.PublishOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	m := <-dead
	if m.Headers[mom.LastErrorHeader] != "bad" {
		t.Fatalf("dead letter headers %v", m.Headers)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		s := b.Counters().Snapshot()
		if s.Queues["jobs"].DeadLettered == 1 && s.Targets["nowhere"].Unroutable == 1 && s.Queues["nohandler"].Dropped == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("counts %+v", s)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
