package web

import (
	"sync"
	"testing"
	"time"
)

// TestALQueueKeepsEveryLine: lines put by concurrent requests, more than
// the queue holds and with a slow writer, all reach the writer in each
// request's order, stop returns only after the last one, and a put after
// stop reports that the caller must write the line itself.
func TestALQueueKeepsEveryLine(t *testing.T) {
	const writers, each = 4, 3000
	var q alQueue
	var mu sync.Mutex
	got := map[string][]int{}
	q.start(func(batch []alEntry) {
		time.Sleep(time.Millisecond) // slow: the queue fills up
		mu.Lock()
		defer mu.Unlock()
		for _, e := range batch {
			got[e.method] = append(got[e.method], e.status)
		}
	})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if !q.put(alEntry{method: string(rune('a' + w)), status: i}) {
					t.Errorf("put refused while open")
					return
				}
			}
		})
	}
	wg.Wait()
	q.stop()
	if q.put(alEntry{method: "late"}) {
		t.Error("put after stop was accepted")
	}
	mu.Lock()
	defer mu.Unlock()
	for w := range writers {
		s := got[string(rune('a'+w))]
		if len(s) != each {
			t.Fatalf("writer %d: %d lines written, want %d", w, len(s), each)
		}
		for i, v := range s {
			if v != i {
				t.Fatalf("writer %d: line %d is %d, out of order", w, i, v)
			}
		}
	}
}

// TestAlQueueReuse: a batch slice is kept unless a burst left it four
// times too big; then the next is twice the batch's size, never empty.
func TestAlQueueReuse(t *testing.T) {
	cases := []struct{ capacity, used, wantCap int }{
		{alQueueKeep, 0, alQueueKeep},
		{alQueueKeep, 10, alQueueKeep},
		{4096, 2000, 4096},
		{4096, 1024, 4096},
		{4096, 1023, 2046},
		{4096, 10, alQueueKeep},
		{4096, 0, alQueueKeep},
	}
	for _, c := range cases {
		b := make([]alEntry, c.used, c.capacity)
		got := reuse(b)
		if len(got) != 0 || cap(got) != c.wantCap {
			t.Errorf("reuse(len %d, cap %d) = len %d, cap %d; want len 0, cap %d", c.used, c.capacity, len(got), cap(got), c.wantCap)
		}
	}
}
