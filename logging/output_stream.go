package logging

import (
	"context"
	"io"
	"os"

	"github.com/mattn/go-isatty"
)

// streamSink writes lines to a writer such as stderr, a whole batch of
// lines in one Write call.
type streamSink struct{ w io.Writer }

func (s streamSink) deliver(_ context.Context, batch []byte, ends []int) int {
	if _, err := s.w.Write(batch); err != nil {
		return 0 // nowhere to report a failing stderr; the lines count as dropped
	}
	return len(ends)
}

func (streamSink) reopen() error { return nil }

func (streamSink) close() error { return nil }

// newStreamOutput returns a console output writing to w.
func newStreamOutput(w io.Writer, f lineFormat, sdID string, colour bool, queue int) *output {
	return newOutput("console", renderer{format: f, sdID: sdID, colour: colour}, streamSink{w}, queue)
}

// isTerminal reports whether w is a terminal (colour is used only then).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	return isatty.IsTerminal(f.Fd())
}
