package counts

import (
	"fmt"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestCountersBoundKeys: past 1000 distinct targets, the rest are counted
// under "(other)".
func TestCountersBoundKeys(t *testing.T) {
	var c Counters
	for i := range 1005 {
		c.Published(fmt.Sprintf("t%d", i), nil)
	}
	s := c.Snapshot()
	if len(s.Targets) != 1001 || s.Targets[OtherKey].Published != 5 {
		t.Fatalf("targets %d, (other) %+v", len(s.Targets), s.Targets[OtherKey])
	}
}

// BenchmarkCountersPublished is the cost a publish pays for its count.
func BenchmarkCountersPublished(b *testing.B) {
	var c Counters
	b.ReportAllocs()
	for b.Loop() {
		c.Published("jobs", nil)
	}
}

// TestQueueLabel: a named queue is its own label; a server-named queue on
// an exchange is labelled by the exchange.
func TestQueueLabel(t *testing.T) {
	if got := QueueLabel("jobs", ""); got != "jobs" {
		t.Errorf("QueueLabel(jobs) = %q", got)
	}
	if got := QueueLabel("", "events"); got != "exchange:events" {
		t.Errorf("QueueLabel(\"\", events) = %q", got)
	}
}

// TestSettlements: each settlement counts in its own field.
func TestSettlements(t *testing.T) {
	var c Counters
	c.Consumed("q")
	c.Acked("q")
	c.Rejected("q")
	c.Rejected("q")
	c.Requeued("q")
	c.Requeued("q")
	c.Requeued("q")
	got := c.Snapshot().Queues["q"]
	if got != (QueueCounts{Consumed: 1, Acked: 1, Rejected: 2, Requeued: 3}) {
		t.Fatalf("counts %+v", got)
	}
}
