package app

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
)

// TaskOption changes how a background task started with Go is treated.
type TaskOption func(*taskSettings)

type taskSettings struct{ tolerateFailure bool }

// TolerateFailure makes a task's error or panic be logged without stopping
// the application.
func TolerateFailure() TaskOption { return func(t *taskSettings) { t.tolerateFailure = true } }

// Go runs fn in a goroutine as a named background task of the application
// (facet's add_task). fn's context is cancelled at the first stop; the
// application waits for every task at exit-time, within the shutdown
// deadline, before it finalizes services. A task that returns an error (other
// than its context's) or panics is logged loudly and stops the application
// with exit code 1, unless TolerateFailure is given. Go returns an error, and
// does not run fn, once exit-time has begun.
func (a *Application) Go(name string, fn func(ctx context.Context) error, opts ...TaskOption) error {
	var ts taskSettings
	for _, o := range opts {
		o(&ts)
	}
	a.mu.Lock()
	if a.tasksClosed {
		a.mu.Unlock()
		return fmt.Errorf("start task %q: the application is exiting", name)
	}
	a.tasks[name]++
	a.tasksWG.Add(1)
	a.mu.Unlock()

	go func() {
		defer a.tasksWG.Done()
		defer func() {
			a.mu.Lock()
			a.tasks[name]--
			if a.tasks[name] == 0 {
				delete(a.tasks, name)
			}
			a.mu.Unlock()
		}()
		err := runTask(a.ctx, fn)
		if err == nil || (errors.Is(err, context.Canceled) && a.ctx.Err() != nil) {
			return
		}
		if ts.tolerateFailure {
			a.log.Error().Str("task", name).Err(err).Msg("Background task failed")
			return
		}
		a.log.Critical().Str("task", name).Err(err).Msg("Background task failed; stopping the application")
		a.StopWithCode(1)
	}()
	return nil
}

// runTask calls fn and turns a panic into an error carrying the stack.
func runTask(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	return fn(ctx)
}
