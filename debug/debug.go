// Package debug serves Go's profiling endpoints (net/http/pprof) and a
// goroutine dump on a listener of their own, configured by [debug] listen.
// It is off unless that key is set, and it never shares a listener with the
// web containers, so the profiles are not reachable from the public port.
//
//	a.AddModule(debug.Module)
//
//	[debug]
//	listen = 127.0.0.1 6060
//
// The listener serves:
//
//   - /debug/pprof/ and every profile under it (heap, goroutine, allocs,
//     block, mutex, threadcreate, profile, trace, cmdline, symbol), as
//     net/http/pprof serves them;
//   - /debug/goroutines: the stack of every goroutine as plain text.
//
// Bind it to the loopback or a unix socket: the profiles show the program's
// internals and a CPU profile costs CPU while it runs.
package debug

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"strings"
	"time"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/internal/listen"
	"github.com/asabgo/asab/logging"
)

// Section is the configuration section the module reads.
const Section = "debug"

// Server is the debug listener: an http.Server with the profiling handlers
// on a mux of its own (never http.DefaultServeMux).
type Server struct {
	addr listen.Addr
	srv  *http.Server
	ln   net.Listener
	log  *logging.Logger
}

// Settings are the keys of [debug].
type Settings struct {
	// Listen is one listen line; empty leaves the debug endpoints off.
	Listen string `ini:"listen" doc:"one listen line; empty: off"`
}

// Module is the debug module's factory for app.Application.AddModule. It
// reads [debug] listen: empty (the default) leaves the module without a
// listener; otherwise the listener is opened at init-time, served at
// run-time and closed at exit-time. An unknown key in [debug] is logged as
// a WARNING. [debug] listen is static at a live reconfiguration: a change
// is a WARNING naming it, and the listener stays where it is.
func Module(a *app.Application) (any, error) {
	a.ReloadStatic(Section, "listen")
	var set Settings
	if err := config.Decode(a.Config(), Section, &set); err != nil {
		return nil, fmt.Errorf("debug: %w", err)
	}
	log := logging.Get("asab.debug")
	unknown, err := config.Unknown(a.Config(), Section, &set)
	if err != nil {
		return nil, fmt.Errorf("debug: %w", err)
	}
	for _, u := range unknown {
		log.Warning().Msg(u.String())
	}
	line := set.Listen
	if strings.TrimSpace(line) == "" {
		return &Server{}, nil
	}
	addr, err := listen.Parse(line, listen.Options{})
	if err != nil {
		return nil, fmt.Errorf("debug: [%s] listen: %w", Section, err)
	}
	return &Server{addr: addr, log: log, srv: &http.Server{
		Handler:           Handler(),
		ReadHeaderTimeout: 10 * time.Second,
	}}, nil
}

// Handler returns the debug endpoints on a mux of their own, for a program
// that wants to serve them on a listener it manages itself.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/goroutines", goroutines)
	return mux
}

// goroutines writes the stack of every goroutine.
func goroutines(w http.ResponseWriter, _ *http.Request) {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(buf)
}

// Addr is the address the listener is bound to, or nil when [debug] listen
// is empty or the listener is not open yet.
func (s *Server) Addr() net.Addr {
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Initialize opens the listener, so that a port in use fails start-up.
func (s *Server) Initialize(ctx context.Context) error {
	if s.srv == nil {
		return nil
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, s.addr.Network, s.addr.Address)
	if err != nil {
		return fmt.Errorf("debug: listen on %s %q: %w", s.addr.Network, s.addr.Address, err)
	}
	s.ln = ln
	s.log.Info().Str("listen", ln.Addr().String()).Msg("Debug endpoints listening")
	return nil
}

// Run serves the debug endpoints until ctx ends, then closes the listener
// and every connection at once: a profile in progress is cut off rather
// than delaying the exit.
func (s *Server) Run(ctx context.Context) error {
	if s.srv == nil {
		return nil
	}
	stop := context.AfterFunc(ctx, func() { _ = s.srv.Close() })
	defer stop()
	err := s.srv.Serve(s.ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("debug: serve: %w", err)
}

// Finalize closes the listener if Run never ran (start-up failed after
// Initialize).
func (s *Server) Finalize(ctx context.Context) error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Close()
}
