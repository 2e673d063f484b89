package logging

import (
	"context"
	"sync"
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

// captureSink collects the lines an output delivers.
type captureSink struct {
	mu    sync.Mutex
	lines []string
}

func (c *captureSink) deliver(_ context.Context, batch []byte, ends []int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	start := 0
	for _, end := range ends {
		c.lines = append(c.lines, string(batch[start:end]))
		start = end
	}
	return len(ends)
}

func (c *captureSink) close() error { return nil }

// capture adds an output rendering with r to p and returns its sink.
func capture(p *Pipeline, r renderer) *captureSink {
	c := &captureSink{}
	p.setOutputs(append(p.outputs(), newOutput("capture", r, c, 1<<20)))
	return c
}

// get returns the lines delivered once p's queues are flushed.
func (c *captureSink) get(p *Pipeline) []string {
	p.Flush()
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.lines...)
}

// use makes p current for the rest of the test.
func use(t testing.TB, p *Pipeline) {
	t.Helper()
	prev := makeCurrent(p)
	t.Cleanup(func() {
		makeCurrent(prev)
		_ = closeSoon(p)
	})
}

// closeSoon closes p giving its syslog queues at most 10 s, so a broken test
// fails instead of hanging.
func closeSoon(p *Pipeline) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return p.Close(ctx)
}
