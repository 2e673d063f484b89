// Command harness measures asab for Go against its baselines, side by side
// in one run on one machine, and prints one table: the framework's figure,
// the baseline's figure measured in the same run, and their ratio. It also
// writes the table to bench/results/latest.md.
//
//	go run ./bench/harness            # the full run (a few minutes)
//	go run ./bench/harness -quick     # fewer rounds, for a smoke test
//
// Go benchmarks run with -count and the median of the runs is reported
// (as benchstat does); the external comparisons (wrk, sockets, AMQP) run
// several rounds and report medians too. bench/run.sh installs the tools
// first (wrk, RabbitMQ) and then runs this program.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// row is one line of the table.
type row struct {
	name      string
	unit      string
	framework float64
	baseline  float64
	better    string // "higher" or "lower"
	target    string // e.g. ">= 0.95"
	note      string
}

// ratio is framework / baseline.
func (r row) ratio() float64 {
	if r.baseline == 0 {
		return 0
	}
	return r.framework / r.baseline
}

// step is one comparison; it returns its rows or an error.
type step struct {
	name string
	run  func(o *options) ([]row, error)
}

type options struct {
	quick bool
	count int // -count for Go benchmarks
	root  string
	work  string
}

func main() {
	quick := flag.Bool("quick", false, "fewer rounds (a smoke test, not figures to quote)")
	out := flag.String("out", "bench/results/latest.md", "where to write the table (empty: nowhere)")
	only := flag.String("only", "", "run only the steps whose names contain this text")
	flag.Parse()

	root, err := os.Getwd()
	if err != nil {
		fatal(err)
	}
	work, err := os.MkdirTemp("", "asab-bench-")
	if err != nil {
		fatal(err)
	}
	defer os.RemoveAll(work)
	o := &options{quick: *quick, count: 6, root: root, work: work}
	if o.quick {
		o.count = 2
	}

	started := time.Now()
	var rows []row
	var failures []string
	for _, s := range steps() {
		if *only != "" && !strings.Contains(s.name, *only) {
			continue
		}
		fmt.Fprintf(os.Stderr, "== %s\n", s.name)
		r, err := s.run(o)
		if err != nil {
			failures = append(failures, fmt.Sprintf("%s: %v", s.name, err))
			fmt.Fprintf(os.Stderr, "   FAILED: %v\n", err)
			continue
		}
		rows = append(rows, r...)
	}
	table := render(machine(), rows, failures, time.Since(started))
	fmt.Print(table)
	if *out != "" {
		if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
			fatal(err)
		}
		if err := os.WriteFile(*out, []byte(table), 0o644); err != nil {
			fatal(err)
		}
		fmt.Fprintf(os.Stderr, "table written to %s\n", *out)
	}
	if len(failures) > 0 {
		os.Exit(1)
	}
}

func steps() []step {
	return []step{
		{"hello start-to-exit", helloStep},
		{"pubsub publish", pubsubStep},
		{"logging", loggingStep},
		{"pdict set", pdictStep},
		{"socket echo", sockStep},
		{"web hello", webStep},
		{"web hello, bare echo", webBareStep},
		{"web instructions", webInstrStep},
		{"web tracing", tracingStep},
		{"web tracing instructions", tracingInstrStep},
		{"graceful stop", stopStep},
		{"restart in place", restartStep},
		{"amqp", amqpStep},
		{"nats", natsStep},
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "harness:", err)
	os.Exit(1)
}
