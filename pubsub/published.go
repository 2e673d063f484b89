package pubsub

import "sync/atomic"

// MaxCountedTypes bounds how many distinct message types Published keeps a
// count for. Message types are meant to be a small fixed set of names; a
// program that builds type names from variable data would otherwise grow the
// table without end. Messages of types beyond the limit are counted together
// under OtherTypes.
const MaxCountedTypes = 1024

// OtherTypes is the key under which Published counts messages of the types
// that arrived after MaxCountedTypes distinct types were already counted.
const OtherTypes = "(other)"

// Published returns how many messages of each type have been published on
// the bus with Publish or PublishAsync since New, whether or not anybody was
// subscribed. The map is a fresh copy the caller may keep; types never
// published are absent. It is meant for metrics, so it is cheap for the
// publisher (one atomic increment per message) and does the work when read.
func (p *PubSub) Published() map[string]uint64 {
	counts := *p.counts.Load()
	out := make(map[string]uint64, len(counts))
	for k, c := range counts {
		out[k] = c.Load()
	}
	return out
}

// countPublished adds one to msgType's counter. t is msgType's topic, nil if
// it has no subscribers. The usual path is one atomic add through the
// topic's link to its counter (or one lookup for a type without
// subscribers); the counter is created under p.mu on the type's first
// publish.
func (p *PubSub) countPublished(msgType string, t *topic) {
	if t != nil {
		if c := t.published.Load(); c != nil {
			c.Add(1)
			return
		}
	}
	counts := *p.counts.Load()
	if c := counts[msgType]; c != nil {
		c.Add(1)
		return
	}
	if len(counts) > MaxCountedTypes { // full, OtherTypes included
		counts[OtherTypes].Add(1)
		return
	}
	p.newCounter(msgType).Add(1)
}

// newCounter returns msgType's counter, creating it (or falling back to the
// OtherTypes one when the table is full) and linking it to the type's topic.
func (p *PubSub) newCounter(msgType string) *atomic.Uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	counts := *p.counts.Load()
	c := counts[msgType]
	if c == nil {
		key := msgType
		if len(counts) >= MaxCountedTypes {
			key = OtherTypes
		}
		if c = counts[key]; c == nil {
			c = new(atomic.Uint64)
			next := make(map[string]*atomic.Uint64, len(counts)+1)
			for k, v := range counts {
				next[k] = v
			}
			next[key] = c
			p.counts.Store(&next)
		}
	}
	if t := (*p.topics.Load())[msgType]; t != nil {
		t.published.Store(c)
	}
	return c
}

// linkCounter points a newly created topic at its type's counter, if the
// type was published before. Caller holds p.mu.
func (p *PubSub) linkCounter(msgType string, t *topic) {
	if c := (*p.counts.Load())[msgType]; c != nil {
		t.published.Store(c)
	}
}
