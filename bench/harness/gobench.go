package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// benchResult is the median of one Go benchmark's runs.
type benchResult struct {
	nsPerOp     float64
	allocsPerOp float64
	extra       map[string]float64 // custom metrics (b.ReportMetric), medians
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(-\d+)?\s+\d+\s+(.*)$`)

// goBench runs `go test -bench pattern -count n` in pkg and returns the
// median figures per benchmark name (without the -GOMAXPROCS suffix).
func goBench(o *options, pkg, pattern string, extraArgs ...string) (map[string]benchResult, error) {
	args := append([]string{"test", "-run", "^$", "-bench", pattern, "-benchmem", "-count", strconv.Itoa(o.count)}, extraArgs...)
	args = append(args, pkg)
	cmd := exec.Command("go", args...)
	cmd.Dir = o.root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	samples := map[string]map[string][]float64{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		name := m[1]
		if samples[name] == nil {
			samples[name] = map[string][]float64{}
		}
		f := strings.Fields(m[3])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			samples[name][f[i+1]] = append(samples[name][f[i+1]], v)
		}
	}
	res := map[string]benchResult{}
	for name, units := range samples {
		r := benchResult{extra: map[string]float64{}}
		for unit, vs := range units {
			switch unit {
			case "ns/op":
				r.nsPerOp = median(vs)
			case "allocs/op":
				r.allocsPerOp = median(vs)
			default:
				r.extra[unit] = median(vs)
			}
		}
		res[name] = r
	}
	if len(res) == 0 {
		return nil, fmt.Errorf("no benchmark matched %q in %s:\n%s", pattern, pkg, out)
	}
	return res, nil
}

// need returns the named result or an error listing what there was.
func need(res map[string]benchResult, name string) (benchResult, error) {
	r, ok := res[name]
	if !ok {
		var names []string
		for n := range res {
			names = append(names, n)
		}
		slices.Sort(names)
		return r, fmt.Errorf("benchmark %s missing; have %v", name, names)
	}
	return r, nil
}

func median(vs []float64) float64 {
	s := slices.Clone(vs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
