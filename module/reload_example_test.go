package module_test

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/module"
)

// limiter applies [limiter] rate at run time and refuses a rate that is
// not positive.
type limiter struct{ rate atomic.Int64 }

var (
	_ module.ConfigValidator = (*limiter)(nil)
	_ module.Reloader        = (*limiter)(nil)
)

func rateOf(cfg *config.Config) (int, error) {
	n, err := cfg.GetInt("limiter", "rate")
	if err == nil && n <= 0 {
		err = fmt.Errorf("[limiter] rate = \"%d\": must be positive", n)
	}
	return n, err
}

// ValidateConfig reads the new configuration it is given and changes
// nothing.
func (l *limiter) ValidateConfig(cfg *config.Config) error {
	_, err := rateOf(cfg)
	return err
}

// Reload applies what ValidateConfig accepted.
func (l *limiter) Reload(ctx context.Context, cfg *config.Config, changed []string) error {
	if !slices.Contains(changed, "limiter") {
		return nil
	}
	n, err := rateOf(cfg)
	if err != nil {
		return err
	}
	l.rate.Store(int64(n))
	return nil
}

// A live reconfiguration asks every ConfigValidator first; only when all
// accept does it swap the configuration in and call the Reloaders. Here the
// two phases are driven by hand.
func Example_reloader() {
	l := &limiter{}
	l.rate.Store(10)
	for _, text := range []string{"[limiter]\nrate = 0\n", "[limiter]\nrate = 50\n"} {
		next := config.New()
		if err := next.LoadString("app.conf", text); err != nil {
			fmt.Println(err)
			continue
		}
		if err := l.ValidateConfig(next); err != nil {
			fmt.Println("refused:", err)
			continue
		}
		if err := l.Reload(context.Background(), next, []string{"limiter"}); err != nil {
			fmt.Println(err)
		}
	}
	fmt.Println("rate", l.rate.Load())
	// Output:
	// refused: [limiter] rate = "0": must be positive
	// rate 50
}
