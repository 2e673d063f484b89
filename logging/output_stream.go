package logging

import (
	"context"
	"io"
	"os"
	"sync"

	"github.com/mattn/go-isatty"
)

// streamOutput writes whole lines to a writer such as stderr, one Write call
// per line under a mutex, so lines from concurrent loggers never interleave.
type streamOutput struct {
	mu     sync.Mutex
	w      io.Writer
	format lineFormat
	sdID   string
	colour bool
	buf    []byte
	tc     timeCache
}

func newStreamOutput(w io.Writer, f lineFormat, sdID string, colour bool) *streamOutput {
	return &streamOutput{w: w, format: f, sdID: sdID, colour: colour, buf: make([]byte, 0, 512)}
}

func (o *streamOutput) write(r *record) {
	o.mu.Lock()
	if o.format == formatJSON {
		o.buf = appendJSONLine(o.buf[:0], r, &o.tc)
	} else {
		o.buf = appendText(o.buf[:0], r, o.sdID, o.colour, &o.tc)
	}
	_, _ = o.w.Write(o.buf) // nowhere to report a failing stderr
	if cap(o.buf) > 64<<10 {
		o.buf = make([]byte, 0, 512)
	}
	o.mu.Unlock()
}

func (o *streamOutput) reopen() error { return nil }

func (o *streamOutput) close(context.Context) error { return nil }

// isTerminal reports whether w is a terminal (colour is used only then).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	return isatty.IsTerminal(f.Fd())
}
