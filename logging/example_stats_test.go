package logging_test

import (
	"context"
	"fmt"
	"io"

	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/logging"
)

// Stats counts the lines that passed the threshold, per level; what a
// metrics collector reads at scrape time.
func ExamplePipeline_Stats() {
	p, err := logging.Setup(config.New(), logging.Options{Stderr: io.Discard})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close(context.Background())

	L := logging.Get("my.module")
	L.Notice().Msg("one")
	L.Notice().Msg("two")
	L.Debug().Msg("filtered out: not counted")
	L.Error().Msg("three")

	st := p.Stats()
	for _, lv := range []logging.Level{logging.LevelDebug, logging.LevelNotice, logging.LevelError} {
		fmt.Println(lv, st.Lines[lv])
	}
	fmt.Println("outputs:", len(st.Outputs), st.Outputs[0].Name, "dropped", st.Outputs[0].Dropped)
	// Output:
	// DEBUG 0
	// NOTICE 2
	// ERROR 1
	// outputs: 1 console dropped 0
}
