package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/asabgo/asab/internal/otlptest"
)

// tracingStep: requests/s with wrk of bench/webtrace (examples/webserver's
// GET /hello, access log to a file) with the tracing module added, once
// with exporter = none (tracing off) and once with sampler = always_on
// exporting over OTLP/HTTP to a receiver on 127.0.0.1 (a fresh
// internal/otlptest receiver per round, which decodes every export),
// against the same application without the module: the same binary, the
// same configuration but for [tracing] (-no-tracing leaves the module
// out). The three servers run one at a time; the six rounds take the six
// orders of the three, so that each runs as often first, second and last,
// and after each of the others, and a change of the machine's load during
// the step weighs on all three alike.
func tracingStep(o *options) ([]row, error) {
	bin, err := build(o, "./bench/webtrace", "webtrace")
	if err != nil {
		return nil, err
	}
	if _, err := exec.LookPath("wrk"); err != nil {
		return nil, fmt.Errorf("wrk is needed (bench/run.sh installs it): %w", err)
	}
	orders := [][]string{
		{"without", "none", "on"}, {"none", "on", "without"}, {"on", "without", "none"},
		{"none", "without", "on"}, {"without", "on", "none"}, {"on", "none", "without"},
	}
	duration := "8s"
	if o.quick {
		orders, duration = orders[:1], "2s"
	}
	rounds := len(orders)
	figures := map[string][]float64{}
	var spans []int
	for _, order := range orders {
		for _, v := range order {
			rps, n, err := tracingRound(o, bin, v, duration)
			if err != nil {
				return nil, fmt.Errorf("tracing %s: %w", v, err)
			}
			figures[v] = append(figures[v], rps)
			if v == "on" {
				spans = append(spans, n)
			}
		}
	}
	without := median(figures["without"])
	note := fmt.Sprintf("median of %d rounds of %s in every order, wrk -t2 -c64", rounds, duration)
	return []row{
		{name: "web GET /hello with tracing.Module, exporter = none, against the same app without the module",
			unit: "req/s", framework: median(figures["none"]), baseline: without, better: "higher", target: ">= 0.98", note: note},
		{name: "web GET /hello with tracing on (always_on, OTLP/HTTP to a local receiver), against the same app without the module",
			unit: "req/s", framework: median(figures["on"]), baseline: without, better: "higher",
			note: note + fmt.Sprintf("; the receiver, decoding every export, runs in the harness on the same CPUs; spans received per round %v", spans)},
	}, nil
}

// tracingInstrStep: the tracing-off row in user-space instructions per
// request under callgrind (BASELINE=tracing bench/webinstr.sh): the same
// two applications as tracingStep's "none" and "without", counts that a
// loaded machine does not disturb as it does requests/s.
func tracingInstrStep(o *options) ([]row, error) {
	cmd := exec.Command("bash", "bench/webinstr.sh")
	cmd.Dir = o.root
	n := "8000"
	if o.quick {
		n = "1000"
	}
	cmd.Env = append(os.Environ(), "ACCESS_LOG=true", "BASELINE=tracing", "EXTRA=", "N="+n)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("BASELINE=tracing bench/webinstr.sh: %v\n%s", err, out)
	}
	v, err := medianLine(out, regexp.MustCompile(`baseline (\d+), asab web (\d+)`))
	if err != nil {
		return nil, err
	}
	return []row{{name: "web GET /hello with tracing.Module, exporter = none, against the same app without the module: user-space instructions per request",
		unit: "instr", framework: v[1], baseline: v[0], better: "lower", target: "<= 1.02", note: "callgrind, " + n + " requests over 8 connections"}}, nil
}

// tracingRound runs one server of variant ("without", "none", "on") under
// wrk for duration and returns its requests/s and, for "on", how many
// spans the receiver got.
func tracingRound(o *options, bin, variant, duration string) (float64, int, error) {
	port, err := freeTCPPort()
	if err != nil {
		return 0, 0, err
	}
	dir, err := os.MkdirTemp(o.work, "webtrace-")
	if err != nil {
		return 0, 0, err
	}
	conf := fmt.Sprintf("[web]\nlisten=127.0.0.1 %d\naccess_log=true\n[logging:console]\nenabled=false\n[logging:file]\npath=%s\n",
		port, filepath.Join(dir, "access.log"))
	args := []string{"-c", filepath.Join(dir, "webtrace.conf")}
	var recv *otlptest.Receiver
	switch variant {
	case "without":
		args = append(args, "-no-tracing")
	case "none":
		conf += "[tracing]\nexporter=none\n"
	case "on":
		if recv, err = otlptest.Listen("127.0.0.1:0"); err != nil {
			return 0, 0, err
		}
		defer recv.Close()
		conf += fmt.Sprintf("[tracing]\nexporter=otlp-http\nendpoint=%s\nsampler=always_on\n", recv.URL())
	}
	if err := os.WriteFile(args[1], []byte(conf), 0o600); err != nil {
		return 0, 0, err
	}
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	url := fmt.Sprintf("http://127.0.0.1:%d/hello", port)
	if err := waitHTTP(url, 10*time.Second); err != nil {
		return 0, 0, err
	}
	out, err := exec.Command("wrk", "-t2", "-c64", "-d"+duration, "--timeout", "5s", url).CombinedOutput()
	if err != nil {
		return 0, 0, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "Non-2xx") || strings.Contains(string(out), "Socket errors") {
		return 0, 0, fmt.Errorf("wrk reported errors:\n%s", out)
	}
	m := regexp.MustCompile(`Requests/sec:\s+([\d.]+)`).FindSubmatch(out)
	if m == nil {
		return 0, 0, fmt.Errorf("no Requests/sec in wrk's output:\n%s", out)
	}
	rps, _ := strconv.ParseFloat(string(m[1]), 64)
	n := 0
	if recv != nil {
		_ = cmd.Process.Signal(syscall.SIGTERM) // the last spans are exported at exit
		_ = cmd.Wait()
		n = len(recv.Spans())
	}
	return rps, n, nil
}

// waitHTTP waits until url answers 200.
func waitHTTP(url string, limit time.Duration) error {
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		res, err := http.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("%s did not answer within %s", url, limit)
}
