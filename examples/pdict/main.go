// Command pdict is a counter that survives restarts: every run adds one to
// the "runs" key of a persistent dictionary, prints the new value and stops.
// Kill it, run it from two shells at once: no run is ever lost or counted
// twice.
//
//	go run ./examples/pdict -c examples/pdict/pdict.conf
//
// [pdict] path names the file; a relative path is taken from the directory
// of the configuration file (${THIS_DIR} in pdict.conf).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/pdict"
)

func main() {
	a := app.New(app.WithName("pdict-example"),
		app.WithDefaults(map[string]map[string]any{"pdict": {"path": "/tmp/asab-example/counter.pdict"}}),
		app.WithMain(func(ctx context.Context, a *app.Application) error {
			path, err := a.Config().Get("pdict", "path")
			if err != nil {
				return err
			}
			n, err := countRun(path)
			if err != nil {
				return err
			}
			fmt.Printf("run #%d (state in %s)\n", n, path)
			a.Stop()
			return nil
		}))
	os.Exit(a.Run())
}

// countRun adds one to the run counter stored at path and returns it.
func countRun(path string) (int, error) {
	d, err := pdict.Open(path)
	if err != nil {
		return 0, err
	}
	defer d.Close()
	return pdict.ModifyAs(d, "runs", func(n int, _ bool) (int, error) { return n + 1, nil })
}
