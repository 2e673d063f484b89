package metrics

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/pubsub"
)

// tickLag measures how late Application.tick! arrives: the time between
// two ticks minus [general] tick_period. The application schedules ticks
// on a fixed grid, so a lag shows that the tick loop (or a subscriber of an
// earlier tick) was held up.
type tickLag struct {
	lag    prometheus.Gauge
	period atomic.Int64 // nanoseconds
	last   atomic.Int64 // Unix nanoseconds of the previous tick, 0 before run-time
}

func newTickLag() *tickLag {
	return &tickLag{lag: prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "asab_tick_lag_seconds",
		Help: "How much later than [general] tick_period the last Application.tick! came after the one before (0 when on time).",
	})}
}

// start reads the tick period and takes run-time's start as the reference
// for the first tick.
func (t *tickLag) start(cfg *config.Config) {
	d, err := cfg.GetDurationOr("general", "tick_period", time.Second)
	if err != nil || d <= 0 {
		d = time.Second // the application refused to start on a bad value
	}
	t.period.Store(int64(d))
	t.last.Store(time.Now().UnixNano())
}

// onTick is the Application.tick! handler.
func (t *tickLag) onTick(pubsub.Message) error {
	t.observe(time.Now())
	return nil
}

// observe records a tick that arrived at now.
func (t *tickLag) observe(now time.Time) {
	prev := t.last.Swap(now.UnixNano())
	if prev == 0 {
		return
	}
	lag := time.Duration(now.UnixNano()-prev) - time.Duration(t.period.Load())
	t.lag.Set(max(lag, 0).Seconds())
}
