package pubsub

import (
	"context"
	"strconv"
	"testing"
)

// Benchmarks. BenchmarkBaselineFuncSlice is the floor the sync publish is
// compared with: the same handlers in a plain slice called in a loop.
//
//	go test -run='^$' -bench=. -benchmem ./pubsub/

func nop(Message) error { return nil }

func BenchmarkPublish(b *testing.B) {
	for _, n := range []int{1, 10} {
		b.Run(strconv.Itoa(n)+"subs", func(b *testing.B) {
			p := New()
			for range n {
				p.Subscribe("bench!", nop)
			}
			p.Subscribe("other!", nop)
			b.ReportAllocs()
			for b.Loop() {
				p.Publish("bench!")
			}
		})
	}
}

func BenchmarkPublishWithArgs(b *testing.B) {
	p := New()
	p.Subscribe("bench!", nop)
	b.ReportAllocs()
	for b.Loop() {
		p.Publish("bench!", 1, "x")
	}
}

func BenchmarkBaselineFuncSlice(b *testing.B) {
	for _, n := range []int{1, 10} {
		b.Run(strconv.Itoa(n)+"subs", func(b *testing.B) {
			hs := make([]Handler, n)
			for i := range hs {
				hs[i] = nop
			}
			b.ReportAllocs()
			for b.Loop() {
				m := Message{Type: "bench!"}
				for _, h := range hs {
					_ = h(m)
				}
			}
		})
	}
}

func BenchmarkPublishParallel(b *testing.B) {
	p := New()
	p.Subscribe("bench!", nop)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			p.Publish("bench!")
		}
	})
}

// BenchmarkPublishAsync measures enqueue plus delivery: Close waits until
// every message has reached the subscriber.
func BenchmarkPublishAsync(b *testing.B) {
	for _, n := range []int{1, 10} {
		b.Run(strconv.Itoa(n)+"subs", func(b *testing.B) {
			p := New()
			for range n {
				p.Subscribe("bench!", nop)
			}
			b.ReportAllocs()
			for b.Loop() {
				p.PublishAsync("bench!")
			}
			p.Close()
		})
	}
}

// BenchmarkSubscriberThroughput publishes into a Block subscriber read by
// another goroutine: the cost per message handed from publisher to consumer.
func BenchmarkSubscriberThroughput(b *testing.B) {
	p := New()
	s := p.NewSubscriber(1024, Block, "bench!")
	done := make(chan int)
	go func() {
		n := 0
		for {
			if _, err := s.Message(context.Background()); err != nil {
				done <- n
				return
			}
			n++
		}
	}()
	b.ReportAllocs()
	for b.Loop() {
		p.Publish("bench!")
	}
	s.Close()
	if n := <-done; n != b.N {
		b.Fatalf("consumer got %d of %d", n, b.N)
	}
}
