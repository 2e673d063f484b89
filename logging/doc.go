// Package logging is asab's logging, on github.com/rs/zerolog.
//
// A component takes a named logger once and logs through zerolog events:
//
//	var L = logging.Get("myapp.mymodule")
//	L.Notice().Str("key", "value").Int("n", 5).Msg("Something odd")
//
// which on the console reads
//
//	23-Nov-2026 00:01:12.593478 NOTICE myapp.mymodule [sd key="value" n="5"] Something odd
//
// There are six levels, ASAB's: DEBUG, INFO, NOTICE, WARNING, ERROR,
// CRITICAL. NOTICE sits between INFO and WARNING and is the default
// threshold. zerolog has no slot for it, so this package does not use
// zerolog's levels at all: every event is a zerolog NoLevel event whose
// writer knows our level and the logger name, and our writers render the
// level themselves. No zerolog global is changed.
//
// Lines go to the current Pipeline. Before Setup that is text on stderr at
// NOTICE. Setup builds a pipeline from configuration (console, file with
// rotation, syslog RFC 5424/3164/macOS over unix, UDP or TCP, the systemd
// journal, JSON lines) and
// makes it current; Loggers cache their threshold with the pipeline's
// generation, so a filtered-out line costs an atomic load or two and no
// allocation, and Loggers created before Setup follow it. The current
// pipeline is this package's one piece of package-level mutable state.
//
// No output blocks the caller: a line is copied into a bounded queue per
// output, and each output's goroutine renders and writes what is queued. A
// full queue (a stalled console, an unreachable syslog server) drops the
// line and counts it, and the output reports the count in a WARNING line
// once it works again. Close flushes the queues within [logging]
// flush_timeout or the context's deadline, whichever comes first.
//
// NewSlogHandler writes log/slog records through the same pipeline; Setup
// points slog.Default and the standard library's log at it, and Close puts
// them back.
package logging
