package timer

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/logging"
	"github.com/asabgo/asab/pubsub"
)

// Handler is the work a timer does. Its context is cancelled when the timer
// is stopped or the application stops.
type Handler func(ctx context.Context) error

// ErrStarted is returned by Start when the timer is already started.
var ErrStarted = errors.New("timer already started")

// schedule tells when the next fire is due after the previous one.
type schedule interface {
	// first returns the first fire time of a start at now.
	first(now time.Time) time.Time
	// next returns the fire time after prev; after is the moment the handler
	// returned, and the result is always later than after.
	next(prev, after time.Time) time.Time
	// repeats reports whether the timer fires more than once.
	repeats() bool
}

// runner holds what every kind of timer shares: the application, the
// handler, the current run and the lock that keeps handlers from overlapping.
type runner struct {
	app     *app.Application
	handler Handler
	name    string
	log     *logging.Logger

	mu      sync.Mutex
	current *run
	sub     *pubsub.Subscription
	// calling is held while the handler runs, so that a restarted timer never
	// runs its handler beside one from the previous start.
	calling sync.Mutex
}

// run is one start of a timer.
type run struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func newRunner(a *app.Application, name string, h Handler) *runner {
	r := &runner{app: a, handler: h, name: name, log: logging.Get("asab.timer")}
	r.sub = a.PubSub().Subscribe(pubsub.Stop, func(pubsub.Message) error {
		r.stop()
		return nil
	})
	return r
}

// start begins a run on the schedule s as a background task of the app.
func (r *runner) start(s schedule) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.current != nil {
		return fmt.Errorf("start %s: %w", r.name, ErrStarted)
	}
	if err := r.app.Context().Err(); err != nil {
		return fmt.Errorf("start %s: the application is stopping", r.name)
	}
	ctx, cancel := context.WithCancel(r.app.Context())
	cur := &run{ctx: ctx, cancel: cancel}
	if err := r.app.Go(r.name, func(context.Context) error { r.loop(cur, s); return nil }); err != nil {
		cancel()
		return fmt.Errorf("start %s: %w", r.name, err)
	}
	r.current = cur
	return nil
}

// stop ends the current run, if any; it does not wait for a running handler.
func (r *runner) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.current != nil {
		r.current.cancel()
		r.current = nil
	}
}

func (r *runner) isStarted() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.current != nil
}

// loop waits for each fire time and calls the handler, until the run is
// stopped or, for a one-shot schedule, after the single call.
func (r *runner) loop(cur *run, s schedule) {
	defer cur.cancel()
	at := s.first(time.Now())
	wait := time.NewTimer(time.Until(at))
	defer wait.Stop()
	for {
		select {
		case <-cur.ctx.Done():
			return
		case <-wait.C:
		}
		if !r.call(cur) {
			return
		}
		if !s.repeats() {
			r.finish(cur)
			return
		}
		at = s.next(at, time.Now())
		wait.Reset(time.Until(at))
	}
}

// call runs the handler once unless the run was stopped while it waited for
// a previous start's handler; it reports whether the run goes on.
func (r *runner) call(cur *run) bool {
	r.calling.Lock()
	defer r.calling.Unlock()
	if cur.ctx.Err() != nil {
		return false
	}
	if err := safeCall(cur.ctx, r.handler); err != nil {
		r.log.Error().Str("timer", r.name).Err(err).Msg("Timer handler failed")
	}
	return true
}

// finish clears a one-shot run that fired, unless it was replaced.
func (r *runner) finish(cur *run) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.current == cur {
		r.current = nil
	}
}

// close stops the timer and drops its stop! subscription.
func (r *runner) close() {
	r.stop()
	r.sub.Unsubscribe()
}

func safeCall(ctx context.Context, h Handler) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return h(ctx)
}

// Timer is ASAB's Timer: a one-shot or repeating timer. Create it with New.
type Timer struct {
	r           *runner
	autorestart bool
}

// New creates a stopped timer that calls handler; with autorestart it
// repeats with a fixed period after Start.
func New(a *app.Application, handler Handler, autorestart bool) *Timer {
	return &Timer{r: newRunner(a, "timer", handler), autorestart: autorestart}
}

// Every calls handler every period from now until the application stops:
// New(a, handler, true).Start(period), for a timer that lives as long as
// the application. Its error is Start's (a period that is not positive, an
// application that is stopping).
func Every(a *app.Application, period time.Duration, handler Handler) error {
	return New(a, handler, true).Start(period)
}

// Start starts the timer: the handler runs after d (and every d with
// autorestart). It returns ErrStarted when the timer is already started, and
// an error when d is not positive or the application is stopping.
func (t *Timer) Start(d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("start timer: period %s is not positive", d)
	}
	return t.r.start(period{d: d, repeat: t.autorestart})
}

// Stop stops the timer. A handler that is running is not waited for; its
// context is cancelled. Stop may be called from inside the handler.
func (t *Timer) Stop() { t.r.stop() }

// Restart stops the timer if it is started and starts it again with d.
func (t *Timer) Restart(d time.Duration) error {
	t.r.stop()
	return t.Start(d)
}

// IsStarted reports whether the timer is started. A one-shot timer is no
// longer started once its handler has been called.
func (t *Timer) IsStarted() bool { return t.r.isStarted() }

// Close stops the timer and detaches it from the application's stop!
// message; a timer that lives as long as the application need not call it.
func (t *Timer) Close() { t.r.close() }

// period is the fixed-interval schedule of Timer.
type period struct {
	d      time.Duration
	repeat bool
}

func (p period) first(now time.Time) time.Time { return now.Add(p.d) }

// next keeps the grid prev + k*d; fires missed while the handler ran are
// skipped.
func (p period) next(prev, after time.Time) time.Time {
	n := prev.Add(p.d)
	if late := after.Sub(n); late >= 0 {
		n = n.Add((late/p.d + 1) * p.d)
	}
	return n
}

func (p period) repeats() bool { return p.repeat }
