package main

import "fmt"

// loggingStep: an enabled NOTICE line with 3 fields and a filtered-out
// DEBUG line, the logging pipeline against raw zerolog writing the same
// event to the same writer (a discarding writer, and a file). The
// framework's benchmarks flush the output queue every 512 lines, so their
// time covers rendering and writing the line on the output's goroutine
// too, not only queueing it, and no line is dropped.
func loggingStep(o *options) ([]row, error) {
	res, err := goBench(o, "./logging", "^(BenchmarkFilteredDebug|BenchmarkRawZerologFiltered|BenchmarkNoticeDiscard|BenchmarkRawZerologDiscard|BenchmarkNoticeFile|BenchmarkRawZerologFile)$")
	if err != nil {
		return nil, err
	}
	pairs := []struct{ name, fw, base, target string }{
		{"logging: NOTICE line, 3 fields, discarding writer", "BenchmarkNoticeDiscard", "BenchmarkRawZerologDiscard", "<= 1.5, 0 allocs"},
		{"logging: NOTICE line, 3 fields, to a file", "BenchmarkNoticeFile", "BenchmarkRawZerologFile", "<= 1.5"},
		{"logging: filtered-out DEBUG line", "BenchmarkFilteredDebug", "BenchmarkRawZerologFiltered", "framework < 10 ns, 0 allocs"},
	}
	var rows []row
	for _, p := range pairs {
		fw, err := need(res, p.fw)
		if err != nil {
			return nil, err
		}
		base, err := need(res, p.base)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row{name: p.name, unit: "ns/op", framework: fw.nsPerOp, baseline: base.nsPerOp,
			better: "lower", target: p.target, note: fmt.Sprintf("%.0f allocs/op", fw.allocsPerOp)})
	}
	return rows, nil
}
