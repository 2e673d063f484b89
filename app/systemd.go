package app

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asabgo/asab/logging"
	"github.com/asabgo/asab/pubsub"
	sd "github.com/coreos/go-systemd/v22/daemon"
)

// notifyStatus sends one sd_notify message when NOTIFY_SOCKET is set.
func notifyStatus(state string) (bool, error) { return sd.SdNotify(false, state) }

// notifier reports the application's phases over NOTIFY_SOCKET: to systemd
// (Type=notify), or to the process that started this daemon with -d.
type notifier struct {
	a *Application
	// handover: the socket is the starting process's; it is told READY=1
	// once and then forgotten (and unset, so subprocesses do not see it).
	handover bool
	mu       sync.Mutex
	done     bool
}

func (n *notifier) send(state string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.done {
		return
	}
	last := n.handover && strings.Contains(state, sd.SdNotifyReady)
	if _, err := sd.SdNotify(last, state); err != nil {
		logging.Get("asab.daemon").Debug().Err(err).Str("state", state).Msg("sd_notify failed")
	}
	n.done = last
}

// reloadingMessage is the one datagram a restart sends instead of
// STOPPING=1: RELOADING=1 with MONOTONIC_USEC (CLOCK_MONOTONIC in µs, which
// systemd 253 and newer want with it) and a STATUS=. The unit stays active
// under the same MainPID; the re-executed image sends READY=1. go-systemd's
// SdNotifyMonotonicUsec ends in a newline, which is taken off so that the
// message has no blank line.
func reloadingMessage() string {
	lines := []string{sd.SdNotifyReloading}
	if usec := strings.TrimSuffix(sd.SdNotifyMonotonicUsec(), "\n"); usec != "" {
		lines = append(lines, usec)
	}
	return strings.Join(append(lines, "STATUS=Restarting"), "\n")
}

// startNotifier subscribes to the phase messages when NOTIFY_SOCKET is set:
// STATUS= at each phase, READY=1 after Application.run!, WATCHDOG=1 every
// tick when systemd's watchdog is on, and at the first stop STOPPING=1, or
// for a restart reloadingMessage (never STOPPING=1: systemd would leave the
// unit deactivating, ignore the new image's READY=1 and kill it); STOPPING=1
// follows when a stop signal turns that restart into a stop.
func (a *Application) startNotifier(handover bool) {
	if os.Getenv("NOTIFY_SOCKET") == "" {
		return
	}
	n := &notifier{a: a, handover: handover}
	log := logging.Get("asab.daemon")
	n.send("STATUS=Initializing")
	a.ps.Subscribe(pubsub.Run, func(pubsub.Message) error {
		n.send(sd.SdNotifyReady + "\nSTATUS=Running")
		return nil
	})
	var reloading atomic.Bool // RELOADING=1 was sent for a restart still under way
	a.ps.Subscribe(pubsub.Stop, func(m pubsub.Message) error {
		first := len(m.Args) > 0 && m.Args[0] == 1
		_, restart := a.ExitCode()
		switch {
		case first && restart:
			reloading.Store(true)
			n.send(reloadingMessage())
		case first || (!restart && reloading.Swap(false)):
			// A stop, or a restart that a stop signal turned into one.
			n.send(sd.SdNotifyStopping + "\nSTATUS=Stopping")
		}
		return nil
	})
	a.ps.Subscribe(pubsub.Exit, func(pubsub.Message) error {
		code, restart := a.ExitCode()
		n.send(fmt.Sprintf("STATUS=Exiting (exit code %d, restart %v)", code, restart))
		return nil
	})
	if interval, err := sd.SdWatchdogEnabled(false); err != nil {
		log.Warning().Err(err).Msg("Ignoring the systemd watchdog settings")
	} else if interval > 0 {
		if tick, err := a.tickPeriod(); err == nil && tick*2 > interval {
			log.Warning().Dur("tick_period", tick).Dur("watchdog", interval).
				Msg("[general] tick_period is more than half the systemd watchdog interval; the service may be killed")
		}
		var held = true
		a.ps.Subscribe(pubsub.Tick, func(pubsub.Message) error {
			live := a.live()
			if live != held {
				held = live
				if !live {
					log.Error().Msg("Liveness failed; the systemd watchdog pings stop until it holds again")
				} else {
					log.Notice().Msg("Liveness holds again; the systemd watchdog pings resume")
				}
			}
			if live {
				n.send(sd.SdNotifyWatchdog)
			}
			return nil
		})
		a.pingThroughRestart(n, interval)
	}
}

// pingThroughRestart keeps sending WATCHDOG=1, every half interval, from
// the first stop of a restart until the exec (Run's end): systemd enforces
// WatchdogSec= in the reloading state too, and the tick loop, which pings
// otherwise, ends with run-time, so a restart whose stop takes longer than
// the interval would be killed for the watchdog. Exit-time is bounded by
// [general] shutdown_timeout, so the pings cannot hide a hang for longer;
// they end when a stop signal turns the restart into a stop (systemd does
// not watch a stopping unit).
func (a *Application) pingThroughRestart(n *notifier, interval time.Duration) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	var once sync.Once
	a.ps.Subscribe(pubsub.Stop, func(m pubsub.Message) error {
		if _, restart := a.ExitCode(); !restart || len(m.Args) == 0 || m.Args[0] != 1 {
			return nil
		}
		once.Do(func() {
			wg.Add(1)
			go func() {
				defer wg.Done()
				t := time.NewTicker(interval / 2)
				defer t.Stop()
				for {
					n.send(sd.SdNotifyWatchdog)
					select {
					case <-done:
						return
					case <-t.C:
					}
					if _, restart := a.ExitCode(); !restart {
						return
					}
				}
			}()
		})
		return nil
	})
	a.onRunEnd(func() {
		close(done)
		wg.Wait()
	})
}

// SetLiveness sets the test of liveness the systemd watchdog ping depends
// on: at each tick WATCHDOG=1 is sent only while live returns true, so a
// process that reports itself stuck is restarted by systemd after
// WatchdogSec=. The health module sets it at Initialize; nil removes it.
func (a *Application) SetLiveness(live func() bool) {
	if live == nil {
		a.liveness.Store(nil)
		return
	}
	a.liveness.Store(&live)
}

// live reports the liveness set by SetLiveness, true when none is set.
func (a *Application) live() bool {
	if f := a.liveness.Load(); f != nil {
		return (*f)()
	}
	return true
}
