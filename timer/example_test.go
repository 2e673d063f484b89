package timer_test

import (
	"context"
	"fmt"
	"time"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/timer"
)

// A repeating timer started from Main; the third call stops the application,
// which also stops the timer.
func Example() {
	a := app.New(app.WithName("timer"), app.WithArgs(),
		app.WithConfigString("[logging]\nlevel = ERROR\n"),
		app.WithMain(func(ctx context.Context, a *app.Application) error {
			n := 0
			t := timer.New(a, func(ctx context.Context) error {
				n++
				fmt.Println("call", n)
				if n == 3 {
					a.Stop()
				}
				return nil
			}, true)
			return t.Start(10 * time.Millisecond)
		}))
	fmt.Println("exit code", a.Run())
	// Output:
	// call 1
	// call 2
	// call 3
	// exit code 0
}

// A daily job at a wall-clock time in a time zone.
func ExampleNewDaily() {
	a := app.New(app.WithName("daily"), app.WithArgs())
	defer a.Release()
	utc := time.UTC
	job, err := timer.NewDaily(a, "03:15", utc, func(ctx context.Context) error { return nil })
	if err != nil {
		fmt.Println(err)
		return
	}
	defer job.Close()
	fmt.Println(job.Next(time.Date(2026, 11, 23, 8, 0, 0, 0, utc)))
	// Output:
	// 2026-11-24 03:15:00 +0000 UTC
}
