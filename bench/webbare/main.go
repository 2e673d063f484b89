// Command webbare is the bare-echo baseline of bench/web.sh (requests/s)
// and of the harness's graceful-stop comparison: bare echo serving the same
// GET /hello as examples/webserver, with no middleware, no timeouts and no
// log, that shuts its http.Server down gracefully on SIGTERM.
//
//	go run ./bench/webbare -listen 127.0.0.1:8081
//
// With -access-log FILE it is instead the baseline a Go programmer would
// write by hand for the same job: echo's RequestLogger middleware writing
// each request's method, path, status, response size, duration and client
// IP as a zerolog JSON line to FILE, synchronously (one write per request),
// or, with -access-log-async, through zerolog's diode writer (a ring
// buffer drained by a goroutine, which drops lines when it is full). It is
// a point of comparison for bench/web.sh's BASELINE=log, not part of asab.
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
	if *accessLog != "" {
		closeLog, err := useAccessLog(e, *accessLog, *async)
		if err != nil {
			fmt.Fprintln(os.Stderr, "webbare:", err)
			os.Exit(1)
		}
		defer closeLog()
	}
	e.GET("/hello", func(c echo.Context) error { return c.String(http.StatusOK, "Hello!") })
	srv := &http.Server{Addr: *listen, Handler: e}
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
