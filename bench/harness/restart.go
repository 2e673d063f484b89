package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"time"

	"github.com/asabgo/asab/internal/restarttest"
)

// restartStep: examples/webserver under wrk -t2 -c64 for 10 s while it
// restarts in place three times (SIGUSR2): the socket errors (connect,
// read, write, timeout) and non-2xx responses wrk reports, which should be
// 0, and the time from each SIGUSR2 to the first answer from the new image
// (its /asab/v1/health uptime is younger than the signal).
func restartStep(o *options) ([]row, error) {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		return nil, errors.New("wrk is not installed (apt-get install wrk)")
	}
	bin, err := build(o, "./examples/webserver", "webserver")
	if err != nil {
		return nil, err
	}
	port, err := freeTCPPort()
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(o.work, "restart.conf")
	if err := os.WriteFile(conf, fmt.Appendf(nil, "[web]\nlisten = 127.0.0.1 %d\naccess_log = false\n[logging]\nlevel = WARNING\n", port), 0o600); err != nil {
		return nil, err
	}
	app := exec.Command(bin, "-c", conf)
	if err := app.Start(); err != nil {
		return nil, err
	}
	defer func() {
		_ = app.Process.Signal(syscall.SIGTERM)
		_ = app.Wait()
	}()
	health := fmt.Sprintf("http://127.0.0.1:%d/asab/v1/health", port)
	if _, err := restarttest.WaitNewImage(health, time.Time{}, 20*time.Second); err != nil {
		return nil, err
	}
	load := exec.Command(wrk, "-t2", "-c64", "-d10s", fmt.Sprintf("http://127.0.0.1:%d/hello", port))
	outc := make(chan []byte, 1)
	errc := make(chan error, 1)
	go func() {
		out, err := load.CombinedOutput()
		outc <- out
		errc <- err
	}()
	var ms []float64
	for range 3 {
		time.Sleep(2500 * time.Millisecond)
		sent := time.Now()
		if err := app.Process.Signal(syscall.SIGUSR2); err != nil {
			return nil, err
		}
		at, err := restarttest.WaitNewImage(health, sent, 20*time.Second)
		if err != nil {
			return nil, err
		}
		ms = append(ms, float64(at.Sub(sent).Microseconds())/1000)
	}
	out, err := <-outc, <-errc
	if err != nil {
		return nil, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	var bad float64
	if m := regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`).FindSubmatch(out); m != nil {
		for _, s := range m[1:] {
			n, _ := strconv.Atoi(string(s))
			bad += float64(n)
		}
	}
	if m := regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`).FindSubmatch(out); m != nil {
		n, _ := strconv.Atoi(string(m[1]))
		bad += float64(n)
	}
	reqs := ""
	if m := regexp.MustCompile(`(\d+) requests in`).FindSubmatch(out); m != nil {
		reqs = string(m[1]) + " requests; "
	}
	return []row{
		{name: "web restart in place under wrk -t2 -c64 10 s, three SIGUSR2: socket errors + non-2xx", unit: "errors", framework: bad, better: "lower", target: "0", note: reqs + "examples/webserver"},
		{name: "web restart time (SIGUSR2 to the first answer of the new image)", unit: "ms", framework: median(ms), better: "lower", note: fmt.Sprintf("median of 3 restarts under load: %.1f, %.1f, %.1f ms", ms[0], ms[1], ms[2])},
	}, nil
}

// freeTCPPort returns a port of 127.0.0.1 that was free a moment ago.
func freeTCPPort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
