package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// build compiles a package of the module into the work directory.
func build(o *options, pkg, name string) (string, error) {
	bin := filepath.Join(o.work, name)
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	cmd.Dir = o.root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s: %v\n%s", pkg, err, out)
	}
	return bin, nil
}

// helloStep: process start to exit, wall time and peak RSS, of
// examples/hello against a plain Go program that prints and exits.
//
// The peak RSS is read through /usr/bin/time (Debian's package time), not
// from the harness's own wait: Go starts a child with clone(CLONE_VM), so
// the kernel counts the harness's memory, current at the exec, into the
// child's ru_maxrss, and both programs would read the harness's size.
// GNU time forks a process of its own, of about 1 MiB.
func helloStep(o *options) ([]row, error) {
	fw, err := build(o, "./examples/hello", "hello")
	if err != nil {
		return nil, err
	}
	base, err := build(o, "./bench/baselines/hello", "hello-bare")
	if err != nil {
		return nil, err
	}
	runs := 41
	if o.quick {
		runs = 5
	}
	var fwMs, baseMs, fwRSS, baseRSS []float64
	for range runs { // alternate, so both see the same machine
		for _, c := range []struct {
			bin     string
			ms, rss *[]float64
		}{{fw, &fwMs, &fwRSS}, {base, &baseMs, &baseRSS}} {
			cmd := exec.Command(c.bin)
			start := time.Now()
			if err := cmd.Run(); err != nil {
				return nil, fmt.Errorf("%s: %w", c.bin, err)
			}
			*c.ms = append(*c.ms, float64(time.Since(start).Microseconds())/1000)
			kib, err := peakRSS(c.bin)
			if err != nil {
				return nil, err
			}
			*c.rss = append(*c.rss, kib/1024)
		}
	}
	return []row{
		{name: "hello app: start to exit", unit: "ms", framework: median(fwMs), baseline: median(baseMs), better: "lower", target: "framework < 10 ms", note: fmt.Sprintf("median of %d runs", runs)},
		{name: "hello app: peak RSS", unit: "MiB", framework: median(fwRSS), baseline: median(baseRSS), better: "lower", target: "framework < 15 MB", note: "GNU time's maximum resident set size"},
	}, nil
}

// peakRSS runs bin once under /usr/bin/time and returns its maximum
// resident set size in KiB.
func peakRSS(bin string) (float64, error) {
	out, err := os.CreateTemp("", "rss")
	if err != nil {
		return 0, err
	}
	out.Close()
	defer os.Remove(out.Name())
	if b, err := exec.Command("/usr/bin/time", "-f", "%M", "-o", out.Name(), bin).CombinedOutput(); err != nil {
		return 0, fmt.Errorf("/usr/bin/time %s: %w\n%s", bin, err, b)
	}
	b, err := os.ReadFile(out.Name())
	if err != nil {
		return 0, err
	}
	kib, err := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
	if err != nil {
		return 0, fmt.Errorf("/usr/bin/time %s: maximum RSS %q: %w", bin, b, err)
	}
	return kib, nil
}

// pubsubStep: synchronous Publish to 1 and 10 subscribers against a plain
// slice of funcs called in a loop.
func pubsubStep(o *options) ([]row, error) {
	res, err := goBench(o, "./pubsub", "^(BenchmarkPublish|BenchmarkBaselineFuncSlice)$")
	if err != nil {
		return nil, err
	}
	var rows []row
	for _, n := range []string{"1subs", "10subs"} {
		fw, err := need(res, "BenchmarkPublish/"+n)
		if err != nil {
			return nil, err
		}
		base, err := need(res, "BenchmarkBaselineFuncSlice/"+n)
		if err != nil {
			return nil, err
		}
		target := ""
		if n == "1subs" {
			target = "framework < 50 ns, 0 allocs"
		}
		rows = append(rows, row{name: "PubSub sync publish, " + n[:len(n)-4] + " subscriber(s)", unit: "ns/op",
			framework: fw.nsPerOp, baseline: base.nsPerOp, better: "lower", target: target,
			note: fmt.Sprintf("%.0f allocs/op", fw.allocsPerOp)})
	}
	return rows, nil
}

// pdictStep: Set on a 1,000-key dict against a plain atomic-rename JSON
// rewrite of the same map.
func pdictStep(o *options) ([]row, error) {
	// go test splits -bench at "/" into per-level patterns, and a
	// second-level pattern drops benchmarks without sub-benchmarks: two runs.
	sets, err := goBench(o, "./pdict", "^BenchmarkSet$/^keys=1000$", "-benchtime", "200x")
	if err != nil {
		return nil, err
	}
	bases, err := goBench(o, "./pdict", "^BenchmarkBaselineAtomicRenameJSON1000$", "-benchtime", "200x")
	if err != nil {
		return nil, err
	}
	fw, err := need(sets, "BenchmarkSet/keys=1000")
	if err != nil {
		return nil, err
	}
	base, err := need(bases, "BenchmarkBaselineAtomicRenameJSON1000")
	if err != nil {
		return nil, err
	}
	return []row{{name: "pdict Set, 1,000 keys (fsync per write)", unit: "µs/op", framework: fw.nsPerOp / 1000,
		baseline: base.nsPerOp / 1000, better: "lower",
		note: fmt.Sprintf("bytes written per Set: %.0f vs %.0f", fw.extra["diskB/op"], base.extra["diskB/op"])}}, nil
}

// medianLine finds the last line matching re in out and returns its
// submatches as numbers.
func medianLine(out []byte, re *regexp.Regexp) ([]float64, error) {
	all := re.FindAllSubmatch(out, -1)
	if len(all) == 0 {
		return nil, fmt.Errorf("no line matching %s in:\n%s", re, out)
	}
	m := all[len(all)-1]
	var vs []float64
	for _, s := range m[1:] {
		v, err := strconv.ParseFloat(string(s), 64)
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return vs, nil
}

// sockStep: line echo round trips/s for 64 clients, sock.Service against a
// bare net.Listener (bench/sock).
func sockStep(o *options) ([]row, error) {
	runs, dur := "9", "2s"
	if o.quick {
		runs, dur = "3", "500ms"
	}
	cmd := exec.Command("go", "run", "./bench/sock", "-clients", "64", "-duration", dur, "-runs", runs)
	cmd.Dir = o.root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("bench/sock: %v\n%s", err, out)
	}
	v, err := medianLine(out, regexp.MustCompile(`median: bare net.Listener ([\d.]+) round-trips/s, sock.Service ([\d.]+) round-trips/s`))
	if err != nil {
		return nil, err
	}
	return []row{{name: "socket echo, 64 clients", unit: "round-trips/s", framework: v[1], baseline: v[0], better: "higher", target: ">= 0.95", note: "median of " + runs + " alternating runs"}}, nil
}

// webStep: requests/s with wrk, examples/webserver (access log to a file,
// default timeouts, metrics) against bare echo as run in production: the
// same http.Server timeouts, echo's Recover and RequestLogger writing a
// zerolog line per request to a file (bench/webbare -access-log; bench/web.sh
// BASELINE=log). The target is for this row.
func webStep(o *options) ([]row, error) {
	return webRun(o, "log", "web GET /hello (wrk -t2 -c64) against bare echo as run in production", ">= 1.0")
}

// webBareStep: the same example against bare echo with nothing (no
// middleware, no timeouts, no log), to show what the framework's whole
// request path costs; no target.
func webBareStep(o *options) ([]row, error) {
	return webRun(o, "bare", "web GET /hello (wrk -t2 -c64) against bare echo with nothing", "")
}

// webRun runs bench/web.sh, the example with its access log on, against
// the baseline named (bench/web.sh's BASELINE), with no EXTRA lines from
// the caller's environment, and makes one row.
func webRun(o *options, baseline, name, target string) ([]row, error) {
	cmd := exec.Command("bash", "bench/web.sh")
	cmd.Dir = o.root
	env := append(os.Environ(), "ACCESS_LOG=true", "BASELINE="+baseline, "EXTRA=")
	if o.quick {
		cmd.Env = append(env, "ROUNDS=1", "DURATION=2s")
	} else {
		cmd.Env = append(env, "ROUNDS=5", "DURATION=8s")
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("bench/web.sh: %v\n%s", err, out)
	}
	v, err := medianLine(out, regexp.MustCompile(`median: baseline ([\d.]+) req/s, asab web ([\d.]+) req/s`))
	if err != nil {
		return nil, err
	}
	note := "median of alternating rounds"
	if p, err := medianLine(out, regexp.MustCompile(`paired: median of the rounds' ratios ([\d.]+)`)); err == nil {
		note += fmt.Sprintf("; median of the rounds' own ratios %.3f", p[0])
	}
	if c, err := medianLine(out, regexp.MustCompile(`CPU per request \(user and system, median\): baseline ([\d.]+) us, asab web ([\d.]+) us`)); err == nil {
		note += fmt.Sprintf("; CPU per request %.2f µs, baseline %.2f µs", c[1], c[0])
	}
	return []row{{name: name, unit: "req/s", framework: v[1], baseline: v[0], better: "higher", target: target, note: note}}, nil
}

// webInstrStep: user-space instructions per request of the example and of
// bare echo as run in production (webStep's pair) under callgrind
// (bench/webinstr.sh), which repeat where requests/s on a shared machine
// does not.
func webInstrStep(o *options) ([]row, error) {
	cmd := exec.Command("bash", "bench/webinstr.sh")
	cmd.Dir = o.root
	n := "8000"
	if o.quick {
		n = "1000"
	}
	cmd.Env = append(os.Environ(), "ACCESS_LOG=true", "BASELINE=log", "EXTRA=", "N="+n)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("bench/webinstr.sh: %v\n%s", err, out)
	}
	v, err := medianLine(out, regexp.MustCompile(`baseline (\d+), asab web (\d+)`))
	if err != nil {
		return nil, err
	}
	return []row{{name: "web GET /hello against bare echo as run in production: user-space instructions per request", unit: "instr", framework: v[1], baseline: v[0], better: "lower", target: "<= 1.05", note: "callgrind, " + n + " requests over 8 connections"}}, nil
}

// stopStep: SIGTERM to exit of an idle web app, examples/webserver against
// bare echo with http.Server.Shutdown.
func stopStep(o *options) ([]row, error) {
	fw, err := build(o, "./examples/webserver", "webserver")
	if err != nil {
		return nil, err
	}
	base, err := build(o, "./bench/webbare", "webbare")
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(o.work, "stop.conf")
	runs := 15
	if o.quick {
		runs = 3
	}
	var fwMs, baseMs []float64
	for i := range runs {
		port := 18500 + i
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		if err := os.WriteFile(conf, fmt.Appendf(nil, "[web]\nlisten = 127.0.0.1 %d\n[logging]\nlevel = WARNING\n", port), 0o600); err != nil {
			return nil, err
		}
		ms, err := timeStop(exec.Command(fw, "-c", conf), addr)
		if err != nil {
			return nil, fmt.Errorf("webserver: %w", err)
		}
		fwMs = append(fwMs, ms)
		ms, err = timeStop(exec.Command(base, "-listen", fmt.Sprintf("127.0.0.1:%d", port+100)), fmt.Sprintf("127.0.0.1:%d", port+100))
		if err != nil {
			return nil, fmt.Errorf("webbare: %w", err)
		}
		baseMs = append(baseMs, ms)
	}
	return []row{{name: "graceful stop of an idle web app (SIGTERM to exit)", unit: "ms", framework: median(fwMs), baseline: median(baseMs), better: "lower", note: fmt.Sprintf("median of %d runs", runs)}}, nil
}

// timeStop starts cmd, waits until addr accepts connections, sends SIGTERM
// and returns the milliseconds until the process exited.
func timeStop(cmd *exec.Cmd, addr string) (float64, error) {
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() { _ = cmd.Process.Kill() }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("%s did not listen on %s", cmd.Path, addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return 0, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return 0, fmt.Errorf("exit: %w", err)
		}
		return float64(time.Since(start).Microseconds()) / 1000, nil
	case <-time.After(30 * time.Second):
		return 0, fmt.Errorf("did not exit within 30 s of SIGTERM")
	}
}

// durUS parses a Go duration string into microseconds (0 when it is not one).
func durUS(b []byte) float64 {
	d, err := time.ParseDuration(string(b))
	if err != nil {
		return 0
	}
	return float64(d.Microseconds())
}
