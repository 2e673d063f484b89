package logging

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fixedTime is the clock of every golden test.
var fixedTime = time.Date(2026, 11, 23, 0, 1, 12, 593478000, time.UTC)

func fixedClock() time.Time { return fixedTime }

// captureOutput renders every record with a format function into lines.
type captureOutput struct {
	format func(dst []byte, r *record) []byte
	lines  []string
}

func (c *captureOutput) write(r *record) { c.lines = append(c.lines, string(c.format(nil, r))) }

func (c *captureOutput) reopen() error { return nil }

func (c *captureOutput) close(context.Context) error { return nil }

// use makes p current for the rest of the test.
func use(t testing.TB, p *Pipeline) {
	t.Helper()
	prev := makeCurrent(p)
	t.Cleanup(func() { makeCurrent(prev) })
}

// closeSoon closes p giving its syslog queues at most 10 s, so a broken test
// fails instead of hanging.
func closeSoon(p *Pipeline) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return p.Close(ctx)
}
