package pubsub

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// Many goroutines publish asynchronously; each subscriber must see every
// goroutine's messages in that goroutine's publish order, and its handler must
// never run concurrently with itself.
func TestPublishAsyncOrderingManyGoroutines(t *testing.T) {
	const publishers, perPublisher, subscribers = 16, 300, 4
	p := New()
	type state struct {
		mu      sync.Mutex
		last    [publishers]int
		n       int
		running atomic.Int32
		overlap atomic.Bool
	}
	states := make([]*state, subscribers)
	for i := range states {
		st := &state{}
		for j := range st.last {
			st.last[j] = -1
		}
		states[i] = st
		p.Subscribe("x!", func(m Message) error {
			if st.running.Add(1) != 1 {
				st.overlap.Store(true)
			}
			defer st.running.Add(-1)
			g, seq := m.Args[0].(int), m.Args[1].(int)
			st.mu.Lock()
			defer st.mu.Unlock()
			if seq != st.last[g]+1 {
				t.Errorf("subscriber %d: publisher %d message %d after %d", i, g, seq, st.last[g])
			}
			st.last[g] = seq
			st.n++
			return nil
		})
	}
	var wg sync.WaitGroup
	for g := range publishers {
		wg.Go(func() {
			for seq := range perPublisher {
				p.PublishAsync("x!", g, seq)
			}
		})
	}
	wg.Wait()
	p.Close() // drains
	for i, st := range states {
		if st.n != publishers*perPublisher {
			t.Errorf("subscriber %d got %d messages, want %d", i, st.n, publishers*perPublisher)
		}
		if st.overlap.Load() {
			t.Errorf("subscriber %d handler ran concurrently with itself", i)
		}
	}
}

func TestPublishAsyncReturnsAtOnceAndSlowSubscriberDelaysOnlyItself(t *testing.T) {
	p := New()
	defer p.Close()
	release := make(chan struct{})
	fast := make(chan Message, 1)
	p.Subscribe("x!", func(Message) error { <-release; return nil })
	p.Subscribe("x!", func(m Message) error { fast <- m; return nil })
	p.PublishAsync("x!", 42) // must not wait for the blocked handler
	select {
	case m := <-fast:
		if m.Args[0] != 42 {
			t.Errorf("args %v", m.Args)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("fast subscriber never got the message")
	}
	close(release)
}

func TestCloseDrainsThenIgnoresPublishAsync(t *testing.T) {
	rec := &recorder{}
	p := New(WithErrorHandler(rec.handle))
	var n atomic.Int32
	p.Subscribe("x!", func(Message) error {
		time.Sleep(time.Millisecond)
		n.Add(1)
		return errors.New("counted")
	})
	for range 20 {
		p.PublishAsync("x!")
	}
	p.Close()
	if n.Load() != 20 {
		t.Fatalf("Close returned after %d of 20 deliveries", n.Load())
	}
	if rec.count() != 20 {
		t.Fatalf("async errors reported %d times, want 20", rec.count())
	}
	p.PublishAsync("x!")
	p.Close() // again: harmless
	if n.Load() != 20 {
		t.Fatalf("PublishAsync after Close delivered")
	}
	p.Publish("x!") // sync publish still works
	if n.Load() != 21 {
		t.Fatalf("sync Publish after Close: n=%d", n.Load())
	}
}

func TestUnsubscribeDropsQueuedAsyncMessages(t *testing.T) {
	p := New()
	started := make(chan struct{})
	release := make(chan struct{})
	var n atomic.Int32
	var sub *Subscription
	sub = p.Subscribe("x!", func(Message) error {
		if n.Add(1) == 1 {
			close(started)
			<-release
		}
		return nil
	})
	for range 10 {
		p.PublishAsync("x!")
	}
	<-started
	sub.Unsubscribe()
	close(release)
	p.Close()
	if n.Load() != 1 {
		t.Fatalf("handler called %d times after Unsubscribe, want 1", n.Load())
	}
}

func TestAsyncPanicIsolated(t *testing.T) {
	rec := &recorder{}
	p := New(WithErrorHandler(rec.handle))
	var n atomic.Int32
	p.Subscribe("x!", func(Message) error { panic("async boom") })
	p.Subscribe("x!", func(Message) error { n.Add(1); return nil })
	p.PublishAsync("x!")
	p.PublishAsync("x!")
	p.Close()
	if n.Load() != 2 || rec.count() != 2 {
		t.Fatalf("delivered %d, errors %d; want 2 and 2", n.Load(), rec.count())
	}
	var pe *PanicError
	if !errors.As(rec.raw[0], &pe) || pe.Value != "async boom" {
		t.Fatalf("error %v", rec.raw[0])
	}
}

// One delivery goroutine per subscription with pending messages, never one
// per message; it exits once its queue is empty.
func TestPublishAsyncUsesOneGoroutinePerSubscriber(t *testing.T) {
	goleak.VerifyNone(t) // waits for earlier tests' workers to exit
	p := New()
	release := make(chan struct{})
	p.Subscribe("x!", func(Message) error { <-release; return nil })
	p.Subscribe("x!", func(Message) error { <-release; return nil })
	before := runtime.NumGoroutine()
	for range 100 {
		p.PublishAsync("x!")
	}
	if d := runtime.NumGoroutine() - before; d != 2 {
		t.Errorf("100 async messages to 2 subscribers started %d goroutines, want 2", d)
	}
	close(release)
	p.Close()
	// A worker calls Done just before it exits, so allow it a moment to go.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		d := runtime.NumGoroutine() - before
		if d == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d delivery goroutines left after Close", d)
		}
	}
}
