package app

import (
	"strings"
	"testing"
	"time"

	"github.com/asabgo/asab/pubsub"
)

// watchdogScenario blocks the tick loop forever in its first tick!.
func watchdogScenario() int {
	a := New(WithName("watchdog"), WithArgs(),
		WithConfigString("[general]\ntick_period = 0.02\nwatchdog_threshold = 0.4\n"))
	a.PubSub().Subscribe(pubsub.Tick, func(pubsub.Message) error {
		say("tick")
		select {}
	})
	return a.Run()
}

func init() { scenarios["watchdog"] = watchdogScenario }

func TestWatchdogExitsWhenTicksStop(t *testing.T) {
	c := startChild(t, "watchdog")
	c.waitFor("tick")
	_, code := c.wait(15 * time.Second)
	if code != ExitWatchdog {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, ExitWatchdog, c.stderr)
	}
	if log := c.stderr.String(); !strings.Contains(log, "CRITICAL") || !strings.Contains(log, "Watchdog") {
		t.Fatalf("no CRITICAL watchdog line:\n%s", log)
	}
}
