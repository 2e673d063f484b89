// Command timer shows the three kinds of timer: a repeating Timer whose
// period comes from the configuration, a one-shot Timer, and a cron job.
// It stops itself after [timer] repeats calls of the repeating timer.
//
//	go run ./examples/timer -c examples/timer/timer.conf
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/timer"
)

func main() {
	a := app.New(app.WithName("timer-example"),
		app.WithDefaults(map[string]map[string]any{"timer": {"period": "100ms", "repeats": 5, "cron": "* * * * * *"}}),
		app.WithMain(start))
	os.Exit(a.Run())
}

// start sets the timers up from the configuration.
func start(ctx context.Context, a *app.Application) error {
	cfg := a.Config()
	period, err := cfg.GetDuration("timer", "period")
	if err != nil {
		return err
	}
	repeats, err := cfg.GetInt("timer", "repeats")
	if err != nil {
		return err
	}
	spec, err := cfg.Get("timer", "cron")
	if err != nil {
		return err
	}

	once := timer.New(a, func(ctx context.Context) error {
		fmt.Println("one-shot fired")
		return nil
	}, false)
	if err := once.Start(period / 2); err != nil {
		return err
	}

	n := 0
	repeating := timer.New(a, func(ctx context.Context) error {
		n++
		fmt.Printf("repeating call %d\n", n)
		if n == repeats {
			a.Stop() // stops every timer and the cron job too
		}
		return nil
	}, true)
	if err := repeating.Start(period); err != nil {
		return err
	}

	job, err := timer.NewCron(a, spec, time.UTC, func(ctx context.Context) error {
		fmt.Fprintln(os.Stderr, "cron job ran")
		return nil
	})
	if err != nil {
		return err
	}
	return job.Start()
}
