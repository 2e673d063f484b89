// Command webbare is the bare-echo baseline of bench/web.sh (requests/s),
// bench/webinstr.sh (instructions per request) and the harness's
// graceful-stop comparison: bare echo serving the same GET /hello as
// examples/webserver, that shuts its http.Server down gracefully on
// SIGTERM. By itself it has no middleware, no timeouts and no log.
//
//	go run ./bench/webbare -listen 127.0.0.1:8081
//
// With -access-log FILE it is bare echo as a production user runs it, the
// main baseline: the http.Server timeouts of asab's [web] defaults
// (read_header_timeout, read_timeout, write_timeout, idle_timeout),
// echo's Recover, and echo's RequestLogger writing each request's method,
// path, status, response size, duration and client IP as a zerolog JSON
// line to FILE, synchronously (one write per request), or, with
// -access-log-async, through zerolog's diode writer (a ring buffer
// drained by a goroutine, which drops lines when it is full). It is a
// point of comparison, not part of asab.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/rs/zerolog"
	"github.com/rs/zerolog/diode"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8081", "address to listen on")
	accessLog := flag.String("access-log", "", "write an access log with echo's RequestLogger and zerolog to this file")
	async := flag.Bool("access-log-async", false, "write the access log through zerolog's diode writer (lossy when full)")
	flag.Parse()
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	srv := &http.Server{Addr: *listen, Handler: e}
	if *accessLog != "" {
		closeLog, err := useProduction(e, srv, *accessLog, *async)
		if err != nil {
			fmt.Fprintln(os.Stderr, "webbare:", err)
			os.Exit(1)
		}
		defer closeLog()
	}
	e.GET("/hello", func(c echo.Context) error { return c.String(http.StatusOK, "Hello!") })
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		fmt.Fprintln(os.Stderr, "webbare:", err)
		os.Exit(1)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "webbare:", err)
		os.Exit(1)
	}
}

// The http.Server timeouts of the production baseline: the defaults of
// asab's [web] read_header_timeout, read_timeout, write_timeout and
// idle_timeout (the test checks that they agree).
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 60 * time.Second
	writeTimeout      = 0
	idleTimeout       = 120 * time.Second
)

// useProduction configures e and srv as a production user runs bare echo:
// the timeouts, the access log (see useAccessLog) and echo's Recover
// inside it. It returns the function that flushes and closes the log.
func useProduction(e *echo.Echo, srv *http.Server, path string, async bool) (func(), error) {
	setTimeouts(srv)
	closeLog, err := useAccessLog(e, path, async)
	if err != nil {
		return nil, err
	}
	e.Use(middleware.Recover())
	return closeLog, nil
}

// setTimeouts gives srv the production baseline's timeouts.
func setTimeouts(srv *http.Server) {
	srv.ReadHeaderTimeout, srv.ReadTimeout = readHeaderTimeout, readTimeout
	srv.WriteTimeout, srv.IdleTimeout = writeTimeout, idleTimeout
}

// useAccessLog adds echo's RequestLogger to e, logging one zerolog line per
// request to the file at path (appended to), and returns the function that
// flushes and closes it.
func useAccessLog(e *echo.Echo, path string, async bool) (func(), error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("access log: %w", err)
	}
	closeLog := func() { _ = f.Close() }
	out := zerolog.New(f)
	if async {
		w := diode.NewWriter(f, 4096, 0, func(missed int) {
			fmt.Fprintf(os.Stderr, "webbare: access log dropped %d lines\n", missed)
		})
		out = zerolog.New(w)
		closeLog = func() { _ = w.Close() } // closes f too
	}
	// The same precision as asab's access line: microseconds, seconds.
	zerolog.TimeFieldFormat = "2006-01-02T15:04:05.000000Z07:00"
	zerolog.DurationFieldUnit = time.Second
	log := out.With().Timestamp().Logger()
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogMethod: true, LogURIPath: true, LogStatus: true, LogResponseSize: true,
		LogLatency: true, LogRemoteIP: true, LogError: true,
		HandleError: true, // the error handler sets the status that is logged
		LogValuesFunc: func(_ echo.Context, v middleware.RequestLoggerValues) error {
			ev := log.Info().Str("method", v.Method).Str("path", v.URIPath).Int("status", v.Status).
				Int64("bytes", v.ResponseSize).Dur("duration", v.Latency).Str("ip", v.RemoteIP)
			if v.Error != nil {
				ev = ev.Err(v.Error)
			}
			ev.Send()
			return nil
		},
	}))
	return closeLog, nil
}
