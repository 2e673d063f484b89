package web

import (
	"sync"
	"time"
)

// alEntry is one access-log line waiting to be written.
type alEntry struct {
	method, path, ip, err string
	status                int
	bytes                 int64
	dur                   time.Duration
	end                   time.Duration // when the response was done, on the container's stats clock
}

// alQueueSize is how many lines may wait; past it requests wait for the
// writer (no line is dropped).
const alQueueSize = 4096

// alQueueKeep is the capacity a batch slice starts with: the slices grow
// as the load needs (about 200 lines per batch at 100,000 requests/s), and
// one larger than this that a batch used less than a quarter of is
// replaced by one twice that batch's size, because a big idle slice costs
// the garbage collector a scan at every cycle.
const alQueueKeep = 256

// alBatchDelay is how long the writer lets lines gather after it is woken,
// so that under load it wakes about once per delay instead of once per
// request.
const alBatchDelay = 2 * time.Millisecond

// alQueue hands access-log lines from request goroutines to one writer
// goroutine while the container serves, so requests neither queue on the
// log output's lock nor pay for waking a goroutine per line: a request
// appends to a slice under a short mutex and wakes the writer only when it
// is idle; the writer waits alBatchDelay, takes the whole slice and writes
// it. A full queue makes requests wait. Outside Run, lines are written
// directly.
type alQueue struct {
	mu     sync.Mutex
	space  sync.Cond // signalled when the writer took the lines
	open   bool
	idle   bool // the writer waits for wake
	lines  []alEntry
	wake   chan struct{}
	done   chan struct{}
	closed chan struct{}
}

// start opens the queue and starts the writer, which calls write per batch.
func (q *alQueue) start(write func([]alEntry)) {
	q.mu.Lock()
	q.space.L = &q.mu
	q.open, q.idle = true, false
	q.lines = make([]alEntry, 0, alQueueKeep)
	q.wake, q.done, q.closed = make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
	wake, done, closed := q.wake, q.done, q.closed
	q.mu.Unlock()
	go q.run(write, wake, done, closed)
}

// run is the writer: it sleeps until woken, lets a batch gather, and
// writes every line queued, until stop; then it writes what is left.
func (q *alQueue) run(write func([]alEntry), wake, done, closed chan struct{}) {
	defer close(closed)
	spare := make([]alEntry, 0, alQueueKeep)
	for {
		q.mu.Lock()
		batch := q.lines
		q.lines = spare[:0]
		if len(batch) == 0 && q.open {
			q.idle = true
		}
		q.space.Broadcast()
		q.mu.Unlock()
		if len(batch) > 0 {
			write(batch)
			clear(batch) // drop the strings
			spare = reuse(batch)
			continue
		}
		spare = batch
		select {
		case <-done:
			q.mu.Lock()
			last := q.lines
			q.lines = nil
			q.mu.Unlock()
			if len(last) > 0 {
				write(last)
			}
			return
		case <-wake:
		}
		t := time.NewTimer(alBatchDelay)
		select {
		case <-t.C:
		case <-done:
			t.Stop()
		}
	}
}

// reuse returns the slice for a later batch after batch was written (and
// cleared): batch itself, unless it is a past burst's slice that the batch
// used less than a quarter of; then a new one twice the batch's size (at
// least alQueueKeep), so that the queue neither keeps a big slice for the
// garbage collector to scan at every cycle nor grows one from nothing
// again, allocating at every doubling.
func reuse(batch []alEntry) []alEntry {
	if cap(batch) > alQueueKeep && len(batch) < cap(batch)/4 {
		return make([]alEntry, 0, max(alQueueKeep, 2*len(batch)))
	}
	return batch[:0]
}

// put queues e, or reports false when the queue is not open.
func (q *alQueue) put(e alEntry) bool {
	q.mu.Lock()
	for q.open && len(q.lines) >= alQueueSize {
		q.space.Wait()
	}
	if !q.open {
		q.mu.Unlock()
		return false
	}
	q.lines = append(q.lines, e)
	notify := q.idle
	q.idle = false
	q.mu.Unlock()
	if notify {
		select {
		case q.wake <- struct{}{}:
		default:
		}
	}
	return true
}

// stop closes the queue and waits until the writer has written every line.
func (q *alQueue) stop() {
	q.mu.Lock()
	was := q.open
	q.open = false
	if q.space.L != nil {
		q.space.Broadcast()
	}
	done, closed := q.done, q.closed
	q.mu.Unlock()
	if was {
		close(done)
		<-closed
	}
}
