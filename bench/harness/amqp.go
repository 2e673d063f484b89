package main

import (
	"fmt"
	"os/exec"
	"regexp"
)

// amqpStep: publish with confirms and consume, msgs/s, the asab AMQP broker
// against raw amqp091-go with the same settings (bench/mom), plus the
// request/reply round trip.
func amqpStep(o *options) ([]row, error) {
	n, rounds := "20000", "5"
	if o.quick {
		n, rounds = "2000", "1"
	}
	cmd := exec.Command("go", "run", "./bench/mom", "-n", n, "-rounds", rounds)
	cmd.Dir = o.root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("bench/mom: %v\n%s", err, out)
	}
	var rows []row
	for _, what := range []string{"publish", "consume"} {
		v, err := medianLine(out, regexp.MustCompile(`(?m)^`+what+`\s+([\d.]+)\s+([\d.]+)`))
		if err != nil {
			return nil, err
		}
		rows = append(rows, row{name: "AMQP " + what + " (confirms on, 256 B)", unit: "msgs/s", framework: v[0], baseline: v[1],
			better: "higher", target: ">= 0.9", note: "median of " + rounds + " rounds, " + n + " msgs each"})
	}
	rr := regexp.MustCompile(`asab p50 (\S+) p99 (\S+); raw p50 (\S+) p99 (\S+)`).FindSubmatch(out)
	if rr != nil {
		rows = append(rows, row{name: "AMQP request/reply p50 / p99", unit: "µs", framework: durUS(rr[1]), baseline: durUS(rr[3]),
			better: "lower", note: fmt.Sprintf("p99: %s vs %s", rr[2], rr[4])})
	}
	return rows, nil
}
