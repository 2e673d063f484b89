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
}

// alQueue hands access-log lines from request goroutines to one writer
// goroutine while the container serves, so requests do not queue on the
// log output's lock. A full queue makes requests wait (no line is dropped).
// Outside Run, lines are written directly.
type alQueue struct {
	mu     sync.RWMutex // read-held while putting; write-held to close
	ch     chan alEntry
	closed chan struct{}
}

// start opens the queue and starts the writer, which calls write per line.
func (q *alQueue) start(write func(alEntry)) {
	ch, closed := make(chan alEntry, 4096), make(chan struct{})
	go func() {
		defer close(closed)
		for e := range ch {
			write(e)
		}
	}()
	q.mu.Lock()
	q.ch, q.closed = ch, closed
	q.mu.Unlock()
}

// put queues e, or reports false when the queue is not open.
func (q *alQueue) put(e alEntry) bool {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.ch == nil {
		return false
	}
	q.ch <- e
	return true
}

// stop closes the queue and waits until the writer has written every line.
func (q *alQueue) stop() {
	q.mu.Lock()
	ch, closed := q.ch, q.closed
	q.ch = nil
	q.mu.Unlock()
	if ch != nil {
		close(ch)
		<-closed
	}
}
