package logging_test

import (
	"context"
	"os"
	"time"

	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/logging"
)

// A component that logs many lines of one shape reuses a Fields and writes
// it with LogFields; the line is the one zerolog calls would write.
func ExampleLogger_LogFields() {
	cfg := config.New()
	p, _ := logging.Setup(cfg, logging.Options{Stderr: os.Stdout, Clock: exampleClock})
	defer p.Close(context.Background())

	al := logging.Get("asab.web.al")
	var f logging.Fields
	for _, path := range []string{"/hello", `/odd"]`} {
		f.Reset()
		f.Str("method", "GET").Str("path", path).Int64("status", 200).
			Seconds("duration", 1250*time.Microsecond)
		al.LogFields(logging.LevelNotice, "", &f)
	}
	// Output:
	// 23-Nov-2026 00:01:12.593478 NOTICE asab.web.al [sd method="GET" path="/hello" status="200" duration="0.00125"]
	// 23-Nov-2026 00:01:12.593478 NOTICE asab.web.al [sd method="GET" path="/odd\"\]" status="200" duration="0.00125"]
}

// A writer that logs events after the fact stamps each line with the time
// of its event, not the time it is written.
func ExampleLogger_LogFieldsAt() {
	cfg := config.New()
	p, _ := logging.Setup(cfg, logging.Options{Stderr: os.Stdout, Clock: exampleClock})
	defer p.Close(context.Background())

	done := time.Date(2026, time.November, 23, 0, 1, 10, 250000000, time.UTC) // when the response went out
	var f logging.Fields
	f.Str("path", "/hello").Int64("status", 200)
	logging.Get("asab.web.al").LogFieldsAt(done, logging.LevelNotice, "", &f)
	// Output:
	// 23-Nov-2026 00:01:10.250000 NOTICE asab.web.al [sd path="/hello" status="200"]
}
