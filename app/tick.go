package app

import (
	"sync/atomic"
	"time"

	"github.com/asabgo/asab/pubsub"
)

// ExitWatchdog is the exit code when the watchdog finds that ticks stopped
// flowing (as ASAB).
const ExitWatchdog = 5

// tickPeriod reads [general] tick_period; anything but a positive number of
// seconds is an error naming the value.
func (a *Application) tickPeriod() (time.Duration, error) {
	g, err := a.readGeneral()
	if err != nil {
		return 0, err
	}
	return a.positive(GeneralSection, "tick_period", g.TickPeriod)
}

// tickLoop publishes Application.tick! every period, scheduled on absolute
// times (start + k*period) so that the time spent publishing does not
// accumulate as drift, and Application.tick/N! when the tick count divides
// by N. A tick that could not be published on time because a subscriber
// blocked is skipped rather than published late in a burst. lastTick is
// updated after each tick's subscribers have all returned.
func (a *Application) tickLoop(done <-chan struct{}, period time.Duration, lastTick *atomic.Int64) {
	next := time.Now().Add(period)
	timer := time.NewTimer(period)
	defer timer.Stop()
	var count int
	for {
		select {
		case <-done:
			return
		case <-timer.C:
		}
		count++
		a.ps.Publish(pubsub.Tick)
		for _, n := range pubsub.TickPeriods {
			if count%n == 0 {
				a.ps.Publish(pubsub.TickN(n))
			}
		}
		now := time.Now()
		lastTick.Store(now.UnixNano())
		next = next.Add(period)
		if late := now.Sub(next); late >= 0 {
			next = next.Add((late/period + 1) * period)
		}
		timer.Reset(time.Until(next))
	}
}

// watchdog ends the process when no tick completed for threshold: a
// subscriber, or the tick loop itself, is stuck.
func (a *Application) watchdog(done <-chan struct{}, threshold time.Duration, lastTick *atomic.Int64) {
	check := time.NewTicker(threshold / 4)
	defer check.Stop()
	for {
		select {
		case <-done:
			return
		case now := <-check.C:
			since := now.Sub(time.Unix(0, lastTick.Load()))
			if since > threshold {
				a.log.Critical().Dur("since_last_tick", since).Dur("threshold", threshold).Msg("Watchdog: ticks stopped flowing, exiting")
				a.exitNow(ExitWatchdog)
			}
		}
	}
}
