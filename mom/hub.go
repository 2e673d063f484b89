package mom

import (
	"fmt"
	"strconv"
	"sync"

	"github.com/asabgo/asab/mom/internal/topic"
)

// hub is the in-memory "server" behind in-process brokers: its exchanges,
// queues and bindings. Several LocalBrokers on one hub (see
// LocalBroker.Connect) behave like several connections to one AMQP server
// (competing consumers on a queue, fan-out through an exchange). A hub
// needs no closing.
type hub struct {
	mu        sync.Mutex
	queues    map[string]*localQueue
	exchanges map[string][]localBinding
	seq       int
}

type localBinding struct {
	pattern string
	queue   *localQueue
}

// localQueue is a FIFO of messages; its cond shares the hub's mutex.
type localQueue struct {
	name      string
	dlx       string
	exclusive bool
	deleted   bool
	items     []*Message
	head      int
	cond      *sync.Cond
}

// newHub returns an empty hub.
func newHub() *hub {
	return &hub{queues: make(map[string]*localQueue), exchanges: make(map[string][]localBinding)}
}

// declareQueue returns the queue named name, creating it; "" creates a
// uniquely named exclusive queue. A queue redeclared with another
// dead-letter exchange is an error, as on an AMQP server.
func (h *hub) declareQueue(name, dlx string) (*localQueue, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	exclusive := name == ""
	if exclusive {
		h.seq++
		name = "local.gen-" + strconv.Itoa(h.seq)
	}
	if q, ok := h.queues[name]; ok {
		if q.dlx != dlx {
			return nil, fmt.Errorf("mom: declare queue %q: it exists with dead-letter exchange %q, not %q", name, q.dlx, dlx)
		}
		return q, nil
	}
	q := &localQueue{name: name, dlx: dlx, exclusive: exclusive}
	q.cond = sync.NewCond(&h.mu)
	h.queues[name] = q
	return q, nil
}

// bind routes messages published to exchange with a key matching pattern
// into q. Exchanges come into being when first used.
func (h *hub) bind(exchange, pattern string, q *localQueue) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, b := range h.exchanges[exchange] {
		if b.pattern == pattern && b.queue == q {
			return
		}
	}
	h.exchanges[exchange] = append(h.exchanges[exchange], localBinding{pattern: pattern, queue: q})
}

// deleteQueue removes q and its bindings and wakes its consumers.
func (h *hub) deleteQueue(q *localQueue) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.queues, q.name)
	for ex, bs := range h.exchanges {
		kept := bs[:0]
		for _, b := range bs {
			if b.queue != q {
				kept = append(kept, b)
			}
		}
		h.exchanges[ex] = kept
	}
	q.deleted = true
	q.cond.Broadcast()
}

// queueLen returns the number of messages waiting in the named queue (not
// counting those being handled), or -1 when there is no such queue.
func (h *hub) queueLen(name string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	q, ok := h.queues[name]
	if !ok {
		return -1
	}
	return len(q.items) - q.head
}

// route delivers m to the queues that exchange routes key to and returns
// how many took it. The default exchange "" routes to the queue named key.
func (h *hub) route(exchange, key string, m *Message) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if exchange == "" {
		q, ok := h.queues[key]
		if !ok {
			return 0
		}
		q.push(m)
		return 1
	}
	n := 0
	var seen map[*localQueue]bool
	for _, b := range h.exchanges[exchange] {
		if !topic.Match(b.pattern, key) || seen[b.queue] {
			continue
		}
		if seen == nil {
			seen = make(map[*localQueue]bool)
		}
		seen[b.queue] = true
		if n > 0 {
			c := *m
			m = &c
		}
		b.queue.push(m)
		n++
	}
	return n
}

// push appends m; the hub's mutex is held.
func (q *localQueue) push(m *Message) {
	q.items = append(q.items, m)
	q.cond.Signal()
}

// pushFront puts m back at the head (a requeue); the hub's mutex is held.
func (q *localQueue) pushFront(m *Message) {
	if q.head > 0 {
		q.head--
		q.items[q.head] = m
	} else {
		q.items = append([]*Message{m}, q.items...)
	}
	q.cond.Signal()
}

// take waits for a message until stopped reports true or the queue is
// deleted (then it returns nil). The hub's mutex is taken inside.
func (h *hub) take(q *localQueue, stopped *bool) *Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	for len(q.items) == q.head && !*stopped && !q.deleted {
		q.cond.Wait()
	}
	if *stopped || q.deleted {
		return nil
	}
	m := q.items[q.head]
	q.items[q.head] = nil
	q.head++
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	} else if q.head > 1024 && q.head*2 > len(q.items) {
		q.items, q.head = append(q.items[:0:0], q.items[q.head:]...), 0
	}
	return m
}

// stop sets *stopped and wakes q's waiters.
func (h *hub) stop(q *localQueue, stopped *bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	*stopped = true
	q.cond.Broadcast()
}

// requeue puts m back at the head of q (unless q is gone).
func (h *hub) requeue(q *localQueue, m *Message) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if q.deleted {
		return
	}
	m.Redelivered = true
	q.pushFront(m)
}
