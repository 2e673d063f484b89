package main

import (
	"fmt"
	"os/exec"
	"regexp"
)

// natsStep: publish with PubAcks and consume, msgs/s, the asab NATS
// JetStream broker against raw nats.go with the same settings (bench/nats),
// plus the request/reply round trip.
func natsStep(o *options) ([]row, error) {
	n, rounds := "20000", "5"
	if o.quick {
		n, rounds = "2000", "1"
	}
	cmd := exec.Command("go", "run", "./bench/nats", "-n", n, "-rounds", rounds)
	cmd.Dir = o.root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("bench/nats: %v\n%s", err, out)
	}
	var rows []row
	for _, what := range []string{"publish", "consume"} {
		v, err := medianLine(out, regexp.MustCompile(`(?m)^`+what+`\s+([\d.]+)\s+([\d.]+)`))
		if err != nil {
			return nil, err
		}
		rows = append(rows, row{name: "NATS " + what + " (PubAck, 256 B)", unit: "msgs/s", framework: v[0], baseline: v[1],
			better: "higher", target: ">= 0.9", note: "median of " + rounds + " rounds, " + n + " msgs each"})
	}
	rr := regexp.MustCompile(`asab p50 (\S+) p99 (\S+); raw p50 (\S+) p99 (\S+)`).FindSubmatch(out)
	if rr != nil {
		rows = append(rows, row{name: "NATS request/reply p50 / p99", unit: "µs", framework: durUS(rr[1]), baseline: durUS(rr[3]),
			better: "lower", note: fmt.Sprintf("p99: %s vs %s", rr[2], rr[4])})
	}
	return rows, nil
}
