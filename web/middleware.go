package web

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/asabgo/asab/logging"
)

// core is the container's first middleware. In one step, to keep the chain
// cheap, it sets the Server header, refuses bodies over body_max_size with
// 413, turns a handler panic into 500 (logged with its stack), lets echo's
// error handler write the response for a handler error so that the status
// logged is the status sent, counts the request for the container's
// metrics (atomic counters, see stats.go) and writes the access-log line.
func (c *Container) core(next echo.HandlerFunc) echo.HandlerFunc {
	return func(ec echo.Context) error {
		start := c.stats.now()
		c.stats.inFlight.Add(1)
		defer c.stats.inFlight.Add(-1)
		if c.server != nil {
			ec.Response().Header()[echo.HeaderServer] = c.server
		}
		req := ec.Request()
		var err error
		if req.ContentLength > c.set.bodyMax {
			err = echo.ErrStatusRequestEntityTooLarge
		} else {
			if req.ContentLength != 0 && req.Body != nil && req.Body != http.NoBody {
				c.limitBody(req)
			}
			err = c.callRecovering(next, ec)
		}
		if err != nil {
			ec.Error(err)
		}
		end := c.stats.now()
		dur := end - start
		c.stats.record(req.Method, ec.Path(), ec.Response().Status, dur)
		c.logRequest(ec, end, dur, err)
		return nil
	}
}

// limitBody bounds reading a request's body: in time by read_timeout, a
// read deadline on the connection from now (net/http clears it when the
// connection goes idle), and, for a body of unknown length (chunked), in
// size by body_max_size; net/http enforces a known length itself.
func (c *Container) limitBody(req *http.Request) {
	if c.set.read > 0 {
		if nc, ok := req.Context().Value(connKey{}).(net.Conn); ok {
			_ = nc.SetReadDeadline(time.Now().Add(c.set.read))
		}
	}
	if req.ContentLength < 0 {
		req.Body = &limitedBody{rc: req.Body, left: c.set.bodyMax}
	}
}

// callRecovering calls next and turns a panic into a 500 error, logging the
// panic value and the stack. http.ErrAbortHandler is passed on: it is
// net/http's way to abort a response on purpose.
func (c *Container) callRecovering(next echo.HandlerFunc, ec echo.Context) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if r == http.ErrAbortHandler {
			panic(r)
		}
		c.stats.panics.Add(1)
		req := ec.Request()
		c.log.Error().Str("method", req.Method).Str("path", req.URL.Path).
			Str("panic", fmt.Sprint(r)).Str("stack", string(debug.Stack())).
			Msg("Handler panicked; answered 500")
		err = echo.NewHTTPError(http.StatusInternalServerError).SetInternal(fmt.Errorf("panic: %v", r))
	}()
	return next(ec)
}

// logRequest writes the access-log line (logger asab.web.al, NOTICE) and,
// for a server error, an ERROR line with the handler's error.
func (c *Container) logRequest(ec echo.Context, end, dur time.Duration, err error) {
	res := ec.Response()
	req := ec.Request()
	if err != nil && res.Status >= 500 {
		c.log.Error().Err(err).Int("status", res.Status).Str("method", req.Method).
			Str("path", req.URL.Path).Msg("Request failed")
	}
	if !c.set.accessLog || !c.al.Enabled(logging.LevelNotice) {
		return
	}
	e := alEntry{method: req.Method, path: req.URL.Path, ip: ec.RealIP(), status: res.Status,
		bytes: res.Size, dur: dur, end: end}
	if err != nil {
		e.err = err.Error()
	}
	c.writeAccess(e) // the logging pipeline's outputs queue it; alq is left to web/'s rewrite
}

// writeAccessBatch writes the lines the access-log queue collected.
func (c *Container) writeAccessBatch(batch []alEntry) {
	for i := range batch {
		c.writeAccess(batch[i])
	}
}

// writeAccess writes one access-log line.
func (c *Container) writeAccess(e alEntry) {
	ev := c.al.Notice()
	if ev == nil {
		return
	}
	ev = ev.Str("method", e.method).Str("path", e.path).Int("status", e.status).
		Int64("bytes", e.bytes).Float64("duration", e.dur.Seconds()).Str("ip", e.ip)
	if e.err != "" {
		ev = ev.Str("error", e.err)
	}
	ev.Send()
}

// limitedBody reads at most left bytes and then fails with 413, for
// bodies without (or with a lying) Content-Length.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, echo.ErrStatusRequestEntityTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, echo.ErrStatusRequestEntityTooLarge
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }
