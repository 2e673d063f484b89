package pubsub

// PublishAsync queues a message for every handler subscribed to msgType and
// returns at once. Each subscription has its own FIFO queue served by at most
// one goroutine, started when the queue gets its first message and ended when
// it runs empty; so a handler receives async messages one at a time, in the
// order they were published, and a slow handler delays only itself. Errors and
// panics go to the error handler as with Publish. After Close, PublishAsync
// does nothing.
func (p *PubSub) PublishAsync(msgType string, args ...any) {
	t := (*p.topics.Load())[msgType]
	p.countPublished(msgType, t)
	if t == nil {
		return
	}
	subs := *t.subs.Load()
	if len(subs) == 0 {
		return
	}
	m := Message{Type: msgType, Args: args}
	p.async.RLock()
	defer p.async.RUnlock()
	if p.closed {
		return
	}
	for _, e := range subs {
		if e.removed.Load() {
			continue
		}
		p.enqueue(e, m)
	}
}

// enqueue appends m to e's queue and starts its delivery goroutine if none is
// running. Caller holds p.async for reading with p.closed false, so the
// WaitGroup is never incremented after Close started waiting.
func (p *PubSub) enqueue(e *entry, m Message) {
	e.qmu.Lock()
	e.queue = append(e.queue, m)
	start := !e.running
	if start {
		e.running = true
		p.workers.Add(1)
	}
	e.qmu.Unlock()
	if start {
		go p.deliver(e)
	}
}

// deliver is e's delivery goroutine: it takes the queued batch, calls the
// handler for each message in order, and exits when the queue is empty.
func (p *PubSub) deliver(e *entry) {
	defer p.workers.Done()
	for {
		e.qmu.Lock()
		if len(e.queue) == 0 {
			e.running = false
			e.qmu.Unlock()
			return
		}
		batch := e.queue
		e.queue, e.spare = e.spare, nil
		e.qmu.Unlock()

		for _, m := range batch {
			if e.removed.Load() {
				break
			}
			p.call(e, m)
		}

		clear(batch) // drop references to delivered arguments
		e.qmu.Lock()
		e.spare = batch[:0]
		e.qmu.Unlock()
	}
}

// Close stops asynchronous delivery: later PublishAsync calls do nothing, and
// Close waits until every message already queued has been delivered and all
// delivery goroutines have exited. Messages a handler publishes with
// PublishAsync while Close is draining are dropped. Publish, Subscribe and
// Subscribers keep working. Close must not be called from a handler running
// on an async delivery goroutine (it would wait for itself). Calling it again
// just waits again.
func (p *PubSub) Close() {
	p.async.Lock()
	p.closed = true
	p.async.Unlock()
	p.workers.Wait()
}
