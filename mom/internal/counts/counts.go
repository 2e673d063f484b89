// Package counts keeps a message broker's counts for the MOM service's
// metrics: what was published per target, and how the messages of each
// consumed queue were settled. The built-in brokers of mom, mom/amqp and
// mom/nats share it; it is internal because the counts reach users only as
// the asab_mom_* metrics.
package counts

import (
	"sync"
	"sync/atomic"
)

// maxKeys bounds how many distinct targets (and queues) a broker counts
// separately; the rest are counted under OtherKey.
const maxKeys = 1000

// OtherKey is the target or queue label under which a broker counts
// messages once it has seen maxKeys distinct ones.
const OtherKey = "(other)"

// ReplyTarget is the target label of replies a broker publishes to
// requests: reply queues are per connection, so their names are not labels.
const ReplyTarget = "(reply)"

// Counters are a broker's message counts, kept with atomic operations on
// the message path (no lock, no allocation once a target or queue has been
// seen). The MOM service exposes the counters of every broker that
// implements [Instrumented] as Prometheus metrics. The zero value is ready
// to use.
type Counters struct {
	connected  atomic.Bool
	reconnects atomic.Uint64
	targets    keyed[targetCounts]
	queues     keyed[queueCounts]
}

// Instrumented is implemented by brokers that keep Counters; both built-in
// brokers do.
type Instrumented interface {
	// Counters returns the counters the broker updates, the same ones on
	// every call.
	Counters() *Counters
}

type targetCounts struct{ published, errors, unroutable atomic.Uint64 }

type queueCounts struct {
	consumed, acked, rejected, requeued, deadLettered, dropped, expired atomic.Uint64
}

// Published counts one message published to target, or one failed publish.
func (c *Counters) Published(target string, err error) {
	t := c.targets.get(target)
	if err != nil {
		t.errors.Add(1)
		return
	}
	t.published.Add(1)
}

// Consumed counts one message of queue delivered for dispatch.
func (c *Counters) Consumed(queue string) { c.queues.get(queue).consumed.Add(1) }

// Acked counts one message of queue acknowledged.
func (c *Counters) Acked(queue string) { c.queues.get(queue).acked.Add(1) }

// Rejected counts one message of queue rejected without requeueing (its
// handler failed, or it was out of attempts).
func (c *Counters) Rejected(queue string) { c.queues.get(queue).rejected.Add(1) }

// Requeued counts one message of queue put back for another delivery.
func (c *Counters) Requeued(queue string) { c.queues.get(queue).requeued.Add(1) }

// Unroutable counts one message to target that the broker took but no
// queue did (AMQP: returned by the server for a mandatory publish).
func (c *Counters) Unroutable(target string) { c.targets.get(target).unroutable.Add(1) }

// DeadLettered counts one message of queue sent to the subscription's
// dead-letter destination: rejected by its handler, or out of attempts.
func (c *Counters) DeadLettered(queue string) { c.queues.get(queue).deadLettered.Add(1) }

// Dropped counts one message of queue discarded for good: one with no
// handler for its target, or one rejected or out of attempts with no
// dead-letter destination to go to.
func (c *Counters) Dropped(queue string) { c.queues.get(queue).dropped.Add(1) }

// Expired counts one message of queue that the broker gave up on without a
// handler's verdict (NATS: its consumer's max_deliver was reached).
func (c *Counters) Expired(queue string) { c.queues.get(queue).expired.Add(1) }

// SetConnected records whether the broker can publish and consume now.
func (c *Counters) SetConnected(up bool) { c.connected.Store(up) }

// Reconnected counts a connection made again after one was lost.
func (c *Counters) Reconnected() { c.reconnects.Add(1) }

// CountsSnapshot is a copy of a broker's Counters.
type CountsSnapshot struct {
	// Connected is true while the broker can publish and consume (the
	// in-process broker: from its creation until Close).
	Connected bool
	// Reconnects counts the connections made again after one was lost; it
	// stays 0 for the in-process broker.
	Reconnects uint64
	// Targets maps each target (routing key) published to, OtherKey and
	// ReplyTarget to their counts.
	Targets map[string]TargetCounts
	// Queues maps each queue label (see QueueLabel), and OtherKey, to its
	// counts.
	Queues map[string]QueueCounts
}

// TargetCounts are the publish counts of one target.
type TargetCounts struct {
	// Published counts the messages the broker took (AMQP: confirmed).
	Published uint64
	// Errors counts the publishes that returned an error.
	Errors uint64
	// Unroutable counts the messages the broker took but no queue did.
	Unroutable uint64
}

// QueueCounts are the counts of one consumed queue.
type QueueCounts struct {
	// Consumed counts the messages delivered for dispatch, redeliveries
	// included: handed to their handler, or dropped when the target has
	// none.
	Consumed uint64
	// Acked counts the messages acknowledged: the handler succeeded, or
	// there was no handler and the message was dropped.
	Acked uint64
	// Rejected counts the messages rejected without requeueing because
	// the handler failed.
	Rejected uint64
	// Requeued counts the messages requeued by Retry or because the
	// shutdown cut their handler off.
	Requeued uint64
	// DeadLettered counts the messages sent to the dead-letter
	// destination: rejected, or out of attempts.
	DeadLettered uint64
	// Dropped counts the messages discarded for good: no handler for
	// their target, or rejected or out of attempts without a dead-letter
	// destination.
	Dropped uint64
	// Expired counts the messages the broker gave up on without a
	// handler's verdict (NATS: max_deliver reached after ack timeouts).
	Expired uint64
}

// Snapshot returns a copy of the counters.
func (c *Counters) Snapshot() CountsSnapshot {
	s := CountsSnapshot{Connected: c.connected.Load(), Reconnects: c.reconnects.Load(),
		Targets: map[string]TargetCounts{}, Queues: map[string]QueueCounts{}}
	for k, t := range c.targets.all() {
		s.Targets[k] = TargetCounts{Published: t.published.Load(), Errors: t.errors.Load(), Unroutable: t.unroutable.Load()}
	}
	for k, q := range c.queues.all() {
		s.Queues[k] = QueueCounts{Consumed: q.consumed.Load(), Acked: q.acked.Load(),
			Rejected: q.rejected.Load(), Requeued: q.requeued.Load(), DeadLettered: q.deadLettered.Load(), Dropped: q.dropped.Load(),
			Expired: q.expired.Load()}
	}
	return s
}

// keyed is a copy-on-write map from a name to its counts: reading takes
// one atomic load, adding a name copies the map under a lock.
type keyed[T any] struct {
	m  atomic.Pointer[map[string]*T]
	mu sync.Mutex
}

func (k *keyed[T]) get(name string) *T {
	if m := k.m.Load(); m != nil {
		if v := (*m)[name]; v != nil {
			return v
		}
	}
	return k.add(name)
}

func (k *keyed[T]) add(name string) *T {
	k.mu.Lock()
	defer k.mu.Unlock()
	var old map[string]*T
	if m := k.m.Load(); m != nil {
		old = *m
	}
	if v := old[name]; v != nil {
		return v
	}
	if len(old) >= maxKeys {
		name = OtherKey
		if v := old[name]; v != nil {
			return v
		}
	}
	m := make(map[string]*T, len(old)+1)
	for n, v := range old {
		m[n] = v
	}
	v := new(T)
	m[name] = v
	k.m.Store(&m)
	return v
}

func (k *keyed[T]) all() map[string]*T {
	if m := k.m.Load(); m != nil {
		return *m
	}
	return nil
}

// QueueLabel is the queue label of a subscription to queue, on exchange
// when it is not "": the queue's name, or for a server-named queue on an
// exchange, "exchange:" and the exchange's name (server-chosen names change
// with every connection).
func QueueLabel(queue, exchange string) string {
	if queue == "" {
		return "exchange:" + exchange
	}
	return queue
}
