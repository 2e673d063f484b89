// Package timer runs handlers later, repeatedly, on a cron expression or at a
// fixed daily time, bound to the application's lifetime.
//
// [New] is ASAB's Timer: Start(d) runs the handler once after d, or every d
// with autorestart. A repeating timer keeps a fixed period: fire times are
// start + k*d, so the handler's own run time does not push later fires back.
// [NewCron] and [NewDaily] (what tomodachi users expect beside ASAB's timer)
// run a handler at the times a cron expression or a wall-clock time in a
// given time zone names.
//
// Every timer runs as a background task of the application: it stops at
// Application.stop! (its handler's context is cancelled then), and the
// application waits for it at exit-time.
//
// # Handlers never overlap
//
// One timer never runs its handler twice at once: the handler is called from
// the timer's own goroutine, and a fire that comes due while the handler is
// still running is skipped (the next one is the next grid time after the
// handler returns). This also holds across Restart: a restarted timer waits
// for a handler of the previous start that is still running. A handler that
// needs concurrency starts its own goroutines.
//
// A handler error or panic is logged (logger "asab.timer") and a repeating
// timer keeps going.
package timer
