package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// machine describes where the figures come from.
func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				cpu = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
				break
			}
		}
	}
	gov := "go"
	if out, err := exec.Command("go", "version").Output(); err == nil {
		gov = strings.TrimSpace(string(out))
	}
	load := ""
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	return fmt.Sprintf("%s; %d CPUs (%s); %s; load average at the end %s",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), runtime.NumCPU(), cpu, gov, load)
}

// render formats the table as Markdown.
func render(machine string, rows []row, failures []string, took time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# asab for Go: framework vs baseline\n\nMachine: %s. Run took %s.\n\n", machine, took.Round(time.Second))
	b.WriteString("| comparison | framework | baseline | ratio (framework/baseline) | better | target | note |\n")
	b.WriteString("| --- | ---: | ---: | ---: | --- | --- | --- |\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s %s | %s %s | %.3f | %s | %s | %s |\n",
			r.name, num(r.framework), r.unit, num(r.baseline), r.unit, r.ratio(), r.better, r.target, r.note)
	}
	if len(failures) > 0 {
		b.WriteString("\nFailed comparisons:\n")
		for _, f := range failures {
			fmt.Fprintf(&b, "- %s\n", f)
		}
	}
	return b.String()
}

// num prints a figure with sensible precision.
func num(v float64) string {
	switch {
	case v >= 1000:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}
