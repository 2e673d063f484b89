package pubsub

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// drain reads everything queued in s without waiting.
func drain(s *Subscriber) []int {
	var got []int
	for {
		select {
		case m := <-s.C():
			got = append(got, m.Args[0].(int))
		default:
			return got
		}
	}
}

func TestSubscriberFIFOOverSeveralTypes(t *testing.T) {
	p := New()
	s := p.NewSubscriber(10, DropNewest, "a!", "b!", "a!")
	defer s.Close()
	p.Publish("a!", 1)
	p.Publish("c!", 99)
	p.Publish("b!", 2)
	p.Publish("a!", 3)
	ctx := context.Background()
	for _, want := range []struct {
		typ string
		n   int
	}{{"a!", 1}, {"b!", 2}, {"a!", 3}} {
		m, err := s.Message(ctx)
		if err != nil || m.Type != want.typ || m.Args[0] != want.n {
			t.Fatalf("Message() = %v, %v; want %s %d", m, err, want.typ, want.n)
		}
	}
	if s.Dropped() != 0 {
		t.Fatalf("dropped %d", s.Dropped())
	}
}

func TestSubscriberDropNewest(t *testing.T) {
	p := New()
	s := p.NewSubscriber(3, DropNewest, "x!")
	defer s.Close()
	for i := range 5 {
		p.Publish("x!", i)
	}
	if got := drain(s); len(got) != 3 || got[0] != 0 || got[2] != 2 {
		t.Fatalf("kept %v, want [0 1 2]", got)
	}
	if s.Dropped() != 2 {
		t.Fatalf("Dropped() = %d, want 2", s.Dropped())
	}
}

func TestSubscriberDropOldest(t *testing.T) {
	p := New()
	s := p.NewSubscriber(3, DropOldest, "x!")
	defer s.Close()
	for i := range 5 {
		p.Publish("x!", i)
	}
	if got := drain(s); len(got) != 3 || got[0] != 2 || got[2] != 4 {
		t.Fatalf("kept %v, want [2 3 4]", got)
	}
	if s.Dropped() != 2 {
		t.Fatalf("Dropped() = %d, want 2", s.Dropped())
	}
}

func TestSubscriberBlockWaitsForConsumer(t *testing.T) {
	p := New()
	s := p.NewSubscriber(2, Block, "x!")
	defer s.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 6 {
			p.Publish("x!", i)
		}
	}()
	// The publisher can get at most 2 ahead; read all 6 in order.
	for want := range 6 {
		m, err := s.Message(context.Background())
		if err != nil || m.Args[0] != want {
			t.Fatalf("got %v %v, want %d", m, err, want)
		}
	}
	<-done
	if s.Dropped() != 0 {
		t.Fatalf("Block dropped %d", s.Dropped())
	}
}

func TestSubscriberBlockedPublisherReleasedByClose(t *testing.T) {
	p := New()
	s := p.NewSubscriber(1, Block, "x!")
	p.Publish("x!", 0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.Publish("x!", 1) // blocks: queue full
	}()
	select {
	case <-done:
		t.Fatal("publisher did not block on a full Block subscriber")
	case <-time.After(20 * time.Millisecond):
	}
	s.Close()
	<-done
	// The queued message is still readable, then ErrClosed.
	m, err := s.Message(context.Background())
	if err != nil || m.Args[0] != 0 {
		t.Fatalf("after Close: %v %v", m, err)
	}
	if _, err := s.Message(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("err %v, want ErrClosed", err)
	}
}

func TestSubscriberDropOldestConcurrent(t *testing.T) {
	p := New()
	s := p.NewSubscriber(8, DropOldest, "x!")
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := range 500 {
				p.Publish("x!", i)
			}
		})
	}
	received := 0
	stop := make(chan struct{})
	var rwg sync.WaitGroup
	rwg.Go(func() {
		for {
			select {
			case <-s.C():
				received++
			case <-stop:
				return
			}
		}
	})
	wg.Wait()
	close(stop)
	rwg.Wait()
	received += len(drain(s))
	s.Close()
	if uint64(received)+s.Dropped() != 2000 {
		t.Fatalf("received %d + dropped %d != 2000", received, s.Dropped())
	}
}

func TestSubscriberMessageCancelled(t *testing.T) {
	p := New()
	s := p.NewSubscriber(1, DropNewest, "x!")
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := s.Message(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want DeadlineExceeded", err)
	}
}

func TestSubscriberCloseUnsubscribesAndClosesChannel(t *testing.T) {
	p := New()
	s := p.NewSubscriber(4, DropNewest, "x!", "y!")
	s.Close()
	s.Close() // idempotent
	p.Publish("x!", 1)
	if _, ok := <-s.C(); ok {
		t.Fatal("channel not closed, or message delivered after Close")
	}
	if len(*p.topics.Load()) != 0 {
		t.Fatal("Close left subscriptions behind")
	}
}

func TestSubscriberWithPublishAsync(t *testing.T) {
	p := New()
	s := p.NewSubscriber(1000, Block, "x!")
	defer s.Close()
	for i := range 100 {
		p.PublishAsync("x!", i)
	}
	p.Close()
	if got := drain(s); len(got) != 100 || got[99] != 99 {
		t.Fatalf("got %d messages: %v", len(got), got)
	}
}

func TestOverflowString(t *testing.T) {
	if DropNewest.String() != "DropNewest" || DropOldest.String() != "DropOldest" ||
		Block.String() != "Block" || Overflow(9).String() != "Overflow(9)" {
		t.Fatal("bad Overflow names")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("unknown policy accepted")
		}
	}()
	New().NewSubscriber(1, Overflow(9), "x!")
}
