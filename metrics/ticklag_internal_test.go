package metrics

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/asabgo/asab/config"
)

func TestTickLag(t *testing.T) {
	cfg := config.New()
	if err := cfg.LoadString("test", "[general]\ntick_period=0.5\n"); err != nil {
		t.Fatal(err)
	}
	tl := newTickLag()
	tl.observe(time.Now()) // before run-time: no reference, ignored
	if got := testutil.ToFloat64(tl.lag); got != 0 {
		t.Fatalf("lag before start = %v", got)
	}
	tl.start(cfg)
	t0 := time.Unix(0, tl.last.Load())
	steps := []struct {
		after time.Duration // since the previous tick
		want  float64
	}{
		{500 * time.Millisecond, 0},    // on time
		{750 * time.Millisecond, 0.25}, // a quarter second late
		{300 * time.Millisecond, 0},    // early (catching up): not negative
		{1500 * time.Millisecond, 1},   // a skipped tick: a whole period late
	}
	now := t0
	for i, s := range steps {
		now = now.Add(s.after)
		tl.observe(now)
		if got := testutil.ToFloat64(tl.lag); got != s.want {
			t.Errorf("tick %d, %v after the previous: lag %v, want %v", i+1, s.after, got, s.want)
		}
	}
}
