package timer

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/pubsub"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// withApp runs an application for the test body and returns its exit code
// once body has stopped it (or the test times out).
func withApp(t *testing.T, body func(a *app.Application)) int {
	t.Helper()
	a := app.New(app.WithName("timer-test"), app.WithArgs(),
		app.WithConfigString("[general]\nshutdown_timeout = 5\ntick_period = 1h\n[logging]\nlevel = CRITICAL\n"),
		app.WithMain(func(ctx context.Context, a *app.Application) error {
			body(a)
			return nil
		}))
	done := make(chan int, 1)
	go func() { done <- a.Run() }()
	select {
	case code := <-done:
		return code
	case <-time.After(30 * time.Second):
		t.Fatal("application did not stop")
		return -1
	}
}

func TestOneShotFiresOnceAndIsNoLongerStarted(t *testing.T) {
	var calls atomic.Int32
	var startedAfter atomic.Bool
	withApp(t, func(a *app.Application) {
		fired := make(chan struct{})
		tm := New(a, func(ctx context.Context) error {
			calls.Add(1)
			close(fired)
			return nil
		}, false)
		if err := tm.Start(20 * time.Millisecond); err != nil {
			t.Error(err)
		}
		if !tm.IsStarted() {
			t.Error("not started after Start")
		}
		if err := tm.Start(time.Second); !errors.Is(err, ErrStarted) {
			t.Errorf("second Start: %v", err)
		}
		<-fired
		time.Sleep(100 * time.Millisecond)
		startedAfter.Store(tm.IsStarted())
		a.Stop()
	})
	if calls.Load() != 1 || startedAfter.Load() {
		t.Fatalf("calls %d, still started %v", calls.Load(), startedAfter.Load())
	}
}

// TestAutorestartKeepsAFixedPeriod: over 20 periods, each fire stays on the
// grid start + k*period even though the handler takes a third of a period.
func TestAutorestartKeepsAFixedPeriod(t *testing.T) {
	const period = 30 * time.Millisecond
	var fires []time.Time
	var start time.Time
	withApp(t, func(a *app.Application) {
		done := make(chan struct{})
		tm := New(a, func(ctx context.Context) error {
			fires = append(fires, time.Now())
			time.Sleep(period / 3)
			if len(fires) == 20 {
				close(done)
			}
			return nil
		}, true)
		start = time.Now()
		_ = tm.Start(period)
		<-done
		tm.Stop()
		a.Stop()
	})
	if len(fires) != 20 {
		t.Fatalf("%d fires", len(fires))
	}
	// Offsets past the grid: a timer that re-armed after each handler would
	// be a third of a period later per fire, 6 periods by the 20th.
	var lastLate time.Duration
	for i, f := range fires {
		slot := start.Add(time.Duration(i+1) * period)
		late := f.Sub(slot) % period
		if late < 0 {
			t.Fatalf("fire %d came %s before its slot", i+1, -late)
		}
		lastLate = late
	}
	elapsed := fires[19].Sub(start)
	t.Logf("20 fires in %s (grid: %s), last fire %s past its slot", elapsed, 20*period, lastLate)
	if elapsed > 20*period+period/2 && lastLate > period/2 {
		t.Fatalf("the timer drifted: 20 fires took %s", elapsed)
	}
}

func TestStopInsideHandler(t *testing.T) {
	var calls atomic.Int32
	withApp(t, func(a *app.Application) {
		var tm *Timer
		tm = New(a, func(ctx context.Context) error {
			calls.Add(1)
			tm.Stop()
			if ctx.Err() == nil {
				t.Error("the handler's context is not cancelled by Stop")
			}
			return nil
		}, true)
		_ = tm.Start(10 * time.Millisecond)
		time.Sleep(150 * time.Millisecond)
		if tm.IsStarted() {
			t.Error("still started")
		}
		a.Stop()
	})
	if calls.Load() != 1 {
		t.Fatalf("handler ran %d times after stopping itself", calls.Load())
	}
}

func TestRestartChangesThePeriodAndNeverOverlaps(t *testing.T) {
	var running, maxRunning, calls atomic.Int32
	withApp(t, func(a *app.Application) {
		var tm *Timer
		tm = New(a, func(ctx context.Context) error {
			n := running.Add(1)
			for {
				m := maxRunning.Load()
				if n <= m || maxRunning.CompareAndSwap(m, n) {
					break
				}
			}
			if calls.Add(1) == 1 {
				// Restart from inside the handler, to a period shorter than
				// the handler itself: the next call must still wait.
				_ = tm.Restart(time.Millisecond)
			}
			time.Sleep(20 * time.Millisecond)
			running.Add(-1)
			return nil
		}, true)
		_ = tm.Start(time.Hour)
		if err := tm.Restart(5 * time.Millisecond); err != nil {
			t.Error(err)
		}
		for calls.Load() < 6 {
			time.Sleep(5 * time.Millisecond)
		}
		a.Stop()
	})
	if maxRunning.Load() != 1 {
		t.Fatalf("%d handler calls ran at once", maxRunning.Load())
	}
}

func TestHandlerErrorsAndPanicsDoNotStopARepeatingTimer(t *testing.T) {
	var calls atomic.Int32
	code := withApp(t, func(a *app.Application) {
		done := make(chan struct{})
		tm := New(a, func(ctx context.Context) error {
			switch calls.Add(1) {
			case 1:
				return errors.New("first call fails")
			case 2:
				panic("second call panics")
			case 3:
				close(done)
			}
			return nil
		}, true)
		_ = tm.Start(5 * time.Millisecond)
		<-done
		a.Stop()
	})
	if code != 0 || calls.Load() < 3 {
		t.Fatalf("exit %d, calls %d", code, calls.Load())
	}
}

func TestTimersStopWhenTheApplicationStops(t *testing.T) {
	var handlerCtxDone atomic.Bool
	var tm *Timer
	withApp(t, func(a *app.Application) {
		entered := make(chan struct{})
		tm = New(a, func(ctx context.Context) error {
			close(entered)
			<-ctx.Done() // released by the application's stop
			handlerCtxDone.Store(true)
			return nil
		}, true)
		_ = tm.Start(5 * time.Millisecond)
		<-entered
		a.Stop()
	})
	if !handlerCtxDone.Load() || tm.IsStarted() {
		t.Fatalf("handler ctx done %v, started %v", handlerCtxDone.Load(), tm.IsStarted())
	}
}

func TestStartIsRefusedOnceTheApplicationStopped(t *testing.T) {
	var err error
	withApp(t, func(a *app.Application) {
		var mu sync.Mutex
		a.PubSub().Subscribe(pubsub.Exit, func(pubsub.Message) error {
			mu.Lock()
			defer mu.Unlock()
			err = New(a, func(context.Context) error { return nil }, false).Start(time.Millisecond)
			return nil
		})
		a.Stop()
	})
	if err == nil {
		t.Fatal("a timer started at exit-time")
	}
}

func TestStartRejectsNonPositivePeriods(t *testing.T) {
	withApp(t, func(a *app.Application) {
		tm := New(a, func(context.Context) error { return nil }, false)
		if err := tm.Start(0); err == nil {
			t.Error("Start(0) accepted")
		}
		a.Stop()
	})
}

// TestEveryRepeatsUntilTheApplicationStops: Every calls the handler again
// and again, and refuses a period that is not positive.
func TestEveryRepeatsUntilTheApplicationStops(t *testing.T) {
	var calls atomic.Int32
	var errZero error
	withApp(t, func(a *app.Application) {
		errZero = Every(a, 0, func(context.Context) error { return nil })
		three := make(chan struct{})
		if err := Every(a, 2*time.Millisecond, func(context.Context) error {
			if calls.Add(1) == 3 {
				close(three)
			}
			return nil
		}); err != nil {
			t.Error(err)
			a.Stop()
			return
		}
		<-three
		a.Stop()
	})
	if errZero == nil {
		t.Error("Every(0) accepted")
	}
	if n := calls.Load(); n < 3 {
		t.Fatalf("%d calls, want at least 3", n)
	}
}
