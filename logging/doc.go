// Package logging is asab's logging, on github.com/rs/zerolog: named
// loggers, ASAB's six levels (DEBUG, INFO, NOTICE, WARNING, ERROR,
// CRITICAL; NOTICE is the default threshold), structured fields, and
// outputs that never block the caller (console, files with rotation,
// syslog, the systemd journal, JSON lines), each with a bounded queue
// whose drops are counted and reported.
//
//	var L = logging.Get("myapp.mymodule")
//	L.Notice().Str("key", "value").Int("n", 5).Msg("Something odd")
//
// reads on the console
//
//	23-Nov-2026 00:01:12.593478 NOTICE myapp.mymodule [sd key="value" n="5"] Something odd
//
// Setup builds the current Pipeline from configuration (see
// docs/logging.md); before it, lines go to stderr at NOTICE. The current
// pipeline is the package's one piece of package-level mutable state.
// log/slog and the standard library's log go through the same pipeline.
package logging
