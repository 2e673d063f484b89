package web

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/logging"
)

// Messages a container publishes, with the *Container as the one argument.
const (
	// StartedMessage is published when a container starts serving.
	StartedMessage = "WebContainer.started!"
	// StoppedMessage is published when a container has stopped serving and
	// closed its connections.
	StoppedMessage = "WebContainer.stopped!"
)

// Container is one web server: an echo instance served on the listeners of
// one configuration section. It binds its listeners at init-time, serves at
// run-time and drains at the first stop (it implements module.Initializer,
// module.Runner and module.Finalizer).
type Container struct {
	app     *app.Application
	set     *settings
	e       *echo.Echo
	log     *logging.Logger
	metrics *requestMetrics

	mu      sync.Mutex
	lns     []net.Listener // bound at Initialize, handed to Run
	lnLines []listenLine   // the line of each of lns

	// tracing is the tracing service's middleware, found at Initialize;
	// nil without one (see trace).
	tracing atomic.Pointer[echo.MiddlewareFunc]

	// live are the settings a reload changes (reload.go).
	live atomic.Pointer[live]
}

// NewContainer creates an independent web container configured from
// section (ASAB's create_web_server), e.g. "web:admin", with its own echo
// instance and listeners. Keys missing from the section take the defaults
// of [Defaults]. The container is registered as the service
// "asab.WebContainer:<section>" and so takes part in the application's
// lifecycle; create it before run-time (in a module factory or an
// Initialize hook). The default container of section "web" is made by
// [Module].
func NewContainer(a *app.Application, section string) (*Container, error) {
	if section == "web" {
		return nil, errors.New("web container: section \"web\" belongs to web.Module's asab.WebService; use another section")
	}
	if p := a.Phase(); p > app.PhaseInitializing {
		return nil, fmt.Errorf("web container [%s]: created in phase %s; create containers before run-time", section, p)
	}
	c, err := newContainer(a, section)
	if err != nil {
		return nil, err
	}
	if err := a.RegisterService("asab.WebContainer:"+section, c); err != nil {
		return nil, fmt.Errorf("web container [%s]: %w", section, err)
	}
	return c, nil
}

// newContainer reads the section and builds the echo instance with the
// container's middleware (see the package doc for their order) and health
// route.
func newContainer(a *app.Application, section string) (*Container, error) {
	a.Config().AddDefaults(map[string]map[string]any{section: Defaults()})
	set, err := readSettings(a.Config(), section)
	if err != nil {
		return nil, fmt.Errorf("web container: %w", err)
	}
	c := &Container{
		app:     a,
		set:     set,
		e:       echo.New(),
		log:     logging.Get("asab.web"),
		metrics: newRequestMetrics(section),
	}
	c.e.HideBanner, c.e.HidePort = true, true
	c.declareStatic()
	c.live.Store(c.newLive(set))
	c.e.IPExtractor = c.clientIP
	c.e.Use(c.trace, c.liveServerHeader)
	c.e.Use(c.metrics.middleware, answerErrors(c.log))
	c.e.Use(c.liveAccessLog)
	c.e.Use(recoverPanics(c.log, c.metrics.panics), c.liveBodyLimit, c.liveCORS)
	if set.healthPath != "" {
		c.e.GET(set.healthPath, c.health)
	}
	c.addAdmin()
	return c, nil
}

// Echo returns the container's echo instance: add routes, groups,
// middleware, Pre middleware or an error handler to it.
func (c *Container) Echo() *echo.Echo { return c.e }

// Section returns the configuration section the container was made from.
func (c *Container) Section() string { return c.set.section }

// Addrs returns the addresses the container's listeners are bound to, in
// the order of the listen lines; after Initialize a port 0 shows the port
// the system chose. It is empty before Initialize and after Run returns.
func (c *Container) Addrs() []net.Addr {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]net.Addr, 0, len(c.lns))
	for _, ln := range c.lns {
		out = append(out, ln.Addr())
	}
	return out
}

// URL returns "http://host:port" (or https) for the i-th listener, for
// tests and examples; it is empty for a unix socket or an unbound index.
func (c *Container) URL(i int) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i < 0 || i >= len(c.lns) {
		return ""
	}
	addr := c.lns[i].Addr()
	if addr.Network() != "tcp" {
		return ""
	}
	scheme := "http"
	if c.lnLines[i].TLS != "" {
		scheme = "https"
	}
	return scheme + "://" + addr.String()
}

// Initialize binds every listen line, so that a bad address, a port in use
// or a systemd socket that was not passed stops start-up with an error
// naming the section and the line.
func (c *Container) Initialize(ctx context.Context) error {
	c.useTracing()
	var lns []net.Listener
	var lines []listenLine
	for _, l := range c.set.listen {
		got, err := c.bind(ctx, l)
		if err != nil {
			for _, done := range lns {
				_ = done.Close()
			}
			return fmt.Errorf("web container [%s] listen line %d %q: %w", c.set.section, l.n, l.text, err)
		}
		for _, ln := range got {
			lns, lines = append(lns, ln), append(lines, l)
		}
	}
	c.mu.Lock()
	c.lns, c.lnLines = lns, lines
	c.mu.Unlock()
	for _, ln := range lns {
		c.log.Notice().Str("section", c.set.section).Str("listen", ln.Addr().Network()+":"+ln.Addr().String()).Msg("Web container listening")
	}
	return nil
}

// Run serves on the listeners bound at Initialize until ctx is cancelled,
// then drains (see drain). It publishes StartedMessage and StoppedMessage.
func (c *Container) Run(ctx context.Context) error {
	c.mu.Lock()
	lns := c.lns
	c.mu.Unlock()
	if len(lns) == 0 {
		return fmt.Errorf("web container [%s]: Run without Initialize", c.set.section)
	}
	base, cut := context.WithCancel(context.Background())
	defer cut()
	conns := newConnDrain()
	srv := c.newServer(base, conns)
	errc := make(chan error, len(lns))
	var wg sync.WaitGroup
	for _, ln := range lns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("web container [%s] serving %s: %w", c.set.section, ln.Addr(), err)
			}
		}()
	}
	c.app.PubSub().Publish(StartedMessage, c)
	var err error
	select {
	case <-ctx.Done():
		err = c.lameDuck(errc)
	case err = <-errc:
	}
	c.drain(srv, lns, conns, cut)
	wg.Wait()
	c.mu.Lock()
	c.lns, c.lnLines = nil, nil
	c.mu.Unlock()
	c.app.PubSub().Publish(StoppedMessage, c)
	return err
}

// newServer builds the http.Server with the section's timeouts; base is
// every request's parent context, cancelled when the grace period runs
// out; conns tracks the connections for the drain.
func (c *Container) newServer(base context.Context, conns *connDrain) *http.Server {
	return &http.Server{
		Handler:           conns.handler(c.e),
		ConnState:         conns.track,
		ReadHeaderTimeout: noneIfZero(c.set.readHeader),
		ReadTimeout:       c.set.read,
		WriteTimeout:      c.set.write,
		IdleTimeout:       noneIfZero(c.set.idle),
		MaxHeaderBytes:    c.set.maxHeaderBytes,
		ErrorLog:          log.New(serverErrorLog{c.log}, "", 0),
		BaseContext:       func(net.Listener) context.Context { return base },
	}
}

// noneIfZero gives net/http's "no limit" (a negative duration) for a
// section's 0, where net/http would take a zero ReadHeaderTimeout or
// IdleTimeout to mean ReadTimeout.
func noneIfZero(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// lameDuck keeps serving for stop_delay after the stop (the health
// endpoint answers 503 meanwhile), so load balancers notice before the
// listeners close.
func (c *Container) lameDuck(errc <-chan error) error {
	delay, _ := c.budget()
	if delay <= 0 {
		return nil
	}
	c.log.Notice().Str("section", c.set.section).Dur("stop_delay", delay).Msg("Stopping; still serving during stop_delay")
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case err := <-errc:
		return err
	}
}

// drain stops accepting (closing the listeners: at a restart the socket
// stays open for the next image, which accepts what queues meanwhile),
// answers each connection's next request with "Connection: close" and
// waits for the connections to close (see connDrain), then shuts the
// server down: requests in flight finish within the grace period, after
// which they are cancelled and their connections closed.
func (c *Container) drain(srv *http.Server, lns []net.Listener, conns *connDrain, cut context.CancelFunc) {
	_, grace := c.budget()
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	conns.start()
	for _, ln := range lns {
		_ = ln.Close() // Serve returns; its error is no longer read
	}
	conns.wait(ctx, min(drainIdle, grace/2))
	// Shutdown closes the listeners again: net.ErrClosed is no failure.
	if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, net.ErrClosed) {
		c.log.Warning().Str("section", c.set.section).Dur("grace", grace).
			Msg("Requests still running after the shutdown grace period; closing their connections")
		_ = srv.Close() // first, so a handler that gives up cannot still answer
		cut()
	}
}

// budget splits nine tenths of the application's shutdown deadline between
// stop_delay (at most half of it) and the shutdown_timeout grace period, so
// that the application exits on time whatever the section says.
func (c *Container) budget() (delay, grace time.Duration) {
	limit := c.app.ShutdownTimeout() * 9 / 10
	delay = min(c.set.stopDelay, limit/2)
	grace = min(c.set.grace, limit-delay)
	return delay, grace
}

// Finalize closes listeners that were bound but never served (start-up
// failed elsewhere); a unix socket file is removed with its listener.
func (c *Container) Finalize(context.Context) error {
	c.mu.Lock()
	lns := c.lns
	c.lns, c.lnLines = nil, nil
	c.mu.Unlock()
	for _, ln := range lns {
		_ = ln.Close()
	}
	return nil
}

// serverErrorLog turns net/http's error log lines into WARNING lines.
type serverErrorLog struct{ l *logging.Logger }

func (w serverErrorLog) Write(p []byte) (int, error) {
	w.l.Warning().Msg(strings.TrimSpace(string(p)))
	return len(p), nil
}
