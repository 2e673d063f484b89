package pubsub

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// entry is one handler subscribed to one message type.
type entry struct {
	msgType string
	h       Handler
	removed atomic.Bool

	// Async delivery state, see async.go.
	qmu     sync.Mutex
	queue   []Message
	spare   []Message
	running bool
}

// Subscription is the handle returned by Subscribe and SubscribeMany.
type Subscription struct {
	p       *PubSub
	entries []*entry
	done    atomic.Bool
}

// Subscribe registers h for messages of msgType and returns the handle that
// unsubscribes it. The same function may be subscribed several times; each
// call is a separate subscription. It panics if h is nil.
func (p *PubSub) Subscribe(msgType string, h Handler) *Subscription {
	return p.SubscribeMany(map[string]Handler{msgType: h})
}

// SubscribeMany registers several handlers at once, one per message type, and
// returns a single handle that unsubscribes all of them. It is the Go form of
// ASAB's subscribe_all: pass a map of a component's methods, e.g.
//
//	sub := bus.SubscribeMany(map[string]pubsub.Handler{
//		pubsub.Tick: svc.onTick,
//		pubsub.Exit: svc.onExit,
//	})
//
// It panics if any handler is nil.
func (p *PubSub) SubscribeMany(handlers map[string]Handler) *Subscription {
	s := &Subscription{p: p, entries: make([]*entry, 0, len(handlers))}
	for t, h := range handlers {
		if h == nil {
			panic(fmt.Sprintf("pubsub: nil handler for message type %q", t))
		}
		s.entries = append(s.entries, &entry{msgType: t, h: h})
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range s.entries {
		p.add(e)
	}
	return s
}

// Unsubscribe removes every handler of the subscription. Once it returns, no
// delivery that has not yet begun calling a handler will call it, and queued
// async messages for it are dropped; a call already running in another
// goroutine may still finish. Calling Unsubscribe again does nothing. It is
// safe to call from inside a handler, including the subscription's own.
func (s *Subscription) Unsubscribe() {
	if s.done.Swap(true) {
		return
	}
	p := s.p
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range s.entries {
		e.removed.Store(true)
		p.remove(e)
	}
}

// add appends e to its topic, creating the topic if needed. Caller holds p.mu.
func (p *PubSub) add(e *entry) {
	topics := *p.topics.Load()
	t := topics[e.msgType]
	if t == nil {
		t = &topic{}
		t.subs.Store(&[]*entry{e})
		p.linkCounter(e.msgType, t)
		next := make(map[string]*topic, len(topics)+1)
		for k, v := range topics {
			next[k] = v
		}
		next[e.msgType] = t
		p.topics.Store(&next)
		return
	}
	old := *t.subs.Load()
	subs := make([]*entry, len(old), len(old)+1)
	copy(subs, old)
	subs = append(subs, e)
	t.subs.Store(&subs)
}

// remove drops e from its topic, and the topic itself once it is empty.
// Caller holds p.mu.
func (p *PubSub) remove(e *entry) {
	topics := *p.topics.Load()
	t := topics[e.msgType]
	if t == nil {
		return
	}
	old := *t.subs.Load()
	subs := make([]*entry, 0, len(old))
	for _, x := range old {
		if x != e {
			subs = append(subs, x)
		}
	}
	if len(subs) > 0 {
		t.subs.Store(&subs)
		return
	}
	t.subs.Store(&subs)
	next := make(map[string]*topic, len(topics))
	for k, v := range topics {
		if k != e.msgType {
			next[k] = v
		}
	}
	p.topics.Store(&next)
}
