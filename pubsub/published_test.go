package pubsub

import (
	"fmt"
	"sync"
	"testing"
)

func TestPublishedCountsEveryPublish(t *testing.T) {
	p := New()
	defer p.Close()
	if got := p.Published(); len(got) != 0 {
		t.Fatalf("fresh bus: Published() = %v, want empty", got)
	}
	var delivered sync.WaitGroup
	delivered.Add(2)
	sub := p.Subscribe("a!", func(Message) error { return nil })
	p.Subscribe("async!", func(Message) error { delivered.Done(); return nil })

	p.Publish("a!")
	p.Publish("a!", 1)
	p.Publish("nobody!") // no subscriber: still counted
	p.PublishAsync("async!")
	p.PublishAsync("async!")
	delivered.Wait()

	// The counter outlives the topic: unsubscribing removes the topic, a
	// new subscription creates another one linked to the same counter.
	sub.Unsubscribe()
	p.Publish("a!")
	p.Subscribe("a!", func(Message) error { return nil })
	p.Publish("a!")

	want := map[string]uint64{"a!": 4, "nobody!": 1, "async!": 2}
	got := p.Published()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Published() = %v, want %v", got, want)
	}
	got["a!"] = 100 // the caller's copy
	if p.Published()["a!"] != 4 {
		t.Fatal("Published returned the bus's own map")
	}
}

func TestPublishedConcurrent(t *testing.T) {
	p := New()
	defer p.Close()
	const workers, each = 4, 1000
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				p.Publish("shared!")
				if i%100 == 0 { // subscribe/unsubscribe churn while counting
					p.Subscribe("shared!", func(Message) error { return nil }).Unsubscribe()
				}
				p.PublishAsync(fmt.Sprintf("own%d!", w))
			}
		}()
	}
	wg.Wait()
	got := p.Published()
	if got["shared!"] != workers*each {
		t.Errorf("shared! = %d, want %d", got["shared!"], workers*each)
	}
	for w := range workers {
		if n := got[fmt.Sprintf("own%d!", w)]; n != each {
			t.Errorf("own%d! = %d, want %d", w, n, each)
		}
	}
}

func TestPublishedBoundsTheTable(t *testing.T) {
	p := New()
	for i := range MaxCountedTypes + 10 {
		p.Publish(fmt.Sprintf("t%d!", i))
	}
	p.Publish("t0!")
	got := p.Published()
	if len(got) != MaxCountedTypes+1 {
		t.Fatalf("%d counted types, want %d (the limit plus %q)", len(got), MaxCountedTypes+1, OtherTypes)
	}
	if got[OtherTypes] != 10 || got["t0!"] != 2 {
		t.Fatalf("%s = %d (want 10), t0! = %d (want 2)", OtherTypes, got[OtherTypes], got["t0!"])
	}
}

func TestPublishCountingDoesNotAllocate(t *testing.T) {
	p := New()
	p.Subscribe("x!", nop)
	p.Publish("x!")
	p.Publish("none!")
	if n := testing.AllocsPerRun(100, func() { p.Publish("x!"); p.Publish("none!") }); n != 0 {
		t.Fatalf("Publish allocates %v times per run", n)
	}
}
