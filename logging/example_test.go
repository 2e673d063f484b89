package logging_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/logging"
	"github.com/rs/zerolog"
)

// A fixed clock keeps the output reproducible.
func exampleClock() time.Time { return time.Date(2026, 11, 23, 0, 1, 12, 593478000, time.UTC) }

func Example() {
	cfg := config.New()
	_ = cfg.LoadString("example.conf", `
[logging]
level = NOTICE
levels =
	my.chatty WARNING
	my.module.detail DEBUG
`)
	p, err := logging.Setup(cfg, logging.Options{Stderr: os.Stdout, Clock: exampleClock})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close(context.Background())

	L := logging.Get("my.module")
	L.Warning().Str("key", "value").Int("n", 5).Msg("Something odd")
	L.Info().Msg("below NOTICE: not shown")
	logging.Get("my.module.detail").Debug().Msg("per-logger DEBUG")
	logging.Get("my.chatty").Notice().Msg("below WARNING for my.chatty: not shown")
	// Output:
	// 23-Nov-2026 00:01:12.593478 WARNING my.module [sd key="value" n="5"] Something odd
	// 23-Nov-2026 00:01:12.593478 DEBUG my.module.detail per-logger DEBUG
}

func ExampleLogger_With() {
	cfg := config.New()
	_ = cfg.LoadString("example.conf", "[logging:console]\nformat = json\n")
	p, _ := logging.Setup(cfg, logging.Options{Stderr: os.Stdout, Clock: exampleClock})
	defer p.Close(context.Background())

	conn := logging.Get("my.server").With(func(c zerolog.Context) zerolog.Context {
		return c.Str("peer", "10.0.0.7:4711")
	})
	conn.Error().Int("status", 503).Msg("backend gone")
	// Output:
	// {"time":"2026-11-23T00:01:12.593478Z","level":"ERROR","logger":"my.server","message":"backend gone","fields":{"peer":"10.0.0.7:4711","status":503}}
}

func ExampleNewSlogHandler() {
	p, _ := logging.Setup(config.New(), logging.Options{Stderr: os.Stdout, Clock: exampleClock})
	defer p.Close(context.Background())

	// Setup made slog.Default write here too; a named handler picks the logger name.
	h := logging.NewSlogHandler("my.lib")
	h.Handle(context.Background(), slogRecord("connected", "host", "db1"))
	// Output:
	// 23-Nov-2026 00:01:12.593478 WARNING my.lib [sd host="db1"] connected
}

func ExampleParseLevel() {
	for _, s := range []string{"notice", "WARN", "25", "loud"} {
		lv, err := logging.ParseLevel(s)
		fmt.Println(lv, err)
	}
	// Output:
	// NOTICE <nil>
	// WARNING <nil>
	// NOTICE <nil>
	// DEBUG logging: unknown level "loud" (want DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL or a number 0-50)
}
