// Command logloop writes N log lines of one kind to a console output that
// discards them, flushing its queue every 512 lines: the program
// bench/loginstr.sh counts instructions of.
//
//	go run ./bench/logloop -n 20000 -kind notice
//
// Kinds: notice (a NOTICE line with 3 fields through a Logger), access (the
// web access line, six fields, through a Logger), raw (plain zerolog
// writing the NOTICE line's event with a time stamp to io.Discard), debug
// (the NOTICE line at DEBUG, filtered out).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rs/zerolog"

	"github.com/asabgo/asab/logging"
)

func main() {
	n := flag.Int("n", 1000, "lines to write")
	kind := flag.String("kind", "notice", "notice, access, raw or debug")
	flag.Parse()
	p, err := logging.Setup(nil, logging.Options{Stderr: io.Discard})
	if err != nil {
		fmt.Fprintln(os.Stderr, "logloop:", err)
		os.Exit(1)
	}
	l := logging.Get("asab.web.al")
	zl := zerolog.New(io.Discard).With().Timestamp().Logger()
	var line func()
	switch *kind {
	case "notice":
		line = func() { l.Notice().Str("key", "value").Int("n", 5).Bool("ok", true).Msg("Something odd") }
	case "access":
		line = func() {
			l.Notice().Str("method", "GET").Str("path", "/hello").Int("status", 200).
				Int64("bytes", 6).Dur("duration", 123456*time.Nanosecond).Str("ip", "127.0.0.1").Send()
		}
	case "debug":
		line = func() { l.Debug().Str("key", "value").Int("n", 5).Bool("ok", true).Msg("Something odd") }
	case "raw":
		line = func() { zl.Warn().Str("key", "value").Int("n", 5).Bool("ok", true).Msg("Something odd") }
	default:
		fmt.Fprintf(os.Stderr, "logloop: unknown -kind %q (want notice, access, raw or debug)\n", *kind)
		os.Exit(2)
	}
	// Flush every 512 lines, as the logging benchmarks do: the output's
	// queue never overflows (no line is dropped and skipped), and the
	// decoding, rendering and writing of every line is counted.
	for i := range *n {
		line()
		if i%512 == 511 {
			p.Flush()
		}
	}
	p.Flush()
}
