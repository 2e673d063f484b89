// Package testsum reads the event stream of `go test -json` and writes what
// a person needs from it: the package result lines, the full output of every
// test that failed (and of a package whose tests did not end, as when the
// test binary crashed or timed out), build errors, and one closing line
//
//	make test: 412 passed, 0 failed, 3 skipped (27 packages)
//
// Passing tests stay quiet. Every test and subtest counts once; a package
// that fails without a failing test (a build error, a crash outside a test,
// a TestMain failure such as goleak's) counts as one failure, so the line
// never says "0 failed" for a failed run.
package testsum

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Summary is the outcome of one `go test -json` run.
type Summary struct {
	// Passed, Failed and Skipped count tests and subtests (examples and
	// fuzz seed inputs included); Failed also counts each failed package
	// that had no failed test.
	Passed, Failed, Skipped int
	// Packages counts packages with a result: passed, failed, or without
	// test files.
	Packages int
	// FailedPackages names the failed packages, sorted.
	FailedPackages []string
}

// OK reports whether nothing failed.
func (s Summary) OK() bool { return s.Failed == 0 && len(s.FailedPackages) == 0 }

// Line is the closing line, with prefix (e.g. "make test") in front.
func (s Summary) Line(prefix string) string {
	return fmt.Sprintf("%s: %d passed, %d failed, %d skipped (%d packages)", prefix, s.Passed, s.Failed, s.Skipped, s.Packages)
}

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action     string
	Package    string
	ImportPath string // build-output and build-fail
	Test       string
	Output     string
}

// key names one test of one package; Test is "" for the package itself.
type key struct{ pkg, test string }

// Read consumes r, writing the result lines and failure output to w as
// they arrive, and returns the counts. A line that is not JSON (go test's
// own messages) is written through unchanged.
func Read(r io.Reader, w io.Writer) (Summary, error) {
	rd := reader{w: w, buffered: map[key][]string{}, failedTests: map[string]bool{}, failedPkgs: map[string]bool{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		rd.line(sc.Bytes())
	}
	for k := range rd.buffered { // the stream ended under them
		rd.failedPkgs[k.pkg] = true
	}
	for pkg := range rd.failedPkgs {
		rd.flush(pkg)
	}
	s := rd.s
	for pkg := range rd.failedPkgs {
		s.FailedPackages = append(s.FailedPackages, pkg)
		if !rd.failedTests[pkg] {
			s.Failed++
		}
	}
	sort.Strings(s.FailedPackages)
	if err := sc.Err(); err != nil {
		return s, fmt.Errorf("read go test -json output: %w", err)
	}
	return s, nil
}

// reader is the state of one Read.
type reader struct {
	w           io.Writer
	s           Summary
	buffered    map[key][]string // output of tests still running
	failedTests map[string]bool  // packages with a failed test
	failedPkgs  map[string]bool
}

func (rd *reader) line(line []byte) {
	var e event
	if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
		fmt.Fprintf(rd.w, "%s\n", line)
		return
	}
	k := key{e.Package, e.Test}
	switch e.Action {
	case "build-output":
		io.WriteString(rd.w, e.Output)
	case "build-fail":
		// "pkg [pkg.test]" names the test binary of pkg.
		pkg, _, _ := strings.Cut(e.ImportPath, " ")
		rd.failedPkgs[pkg] = true
	case "output":
		switch {
		case e.Test == "" && e.Output == "PASS\n":
			// -test.v's closing word; plain go test leaves it out.
		case e.Test == "":
			// A package's FAIL line with tests still running: the binary
			// died under them, so their output goes first.
			if strings.HasPrefix(e.Output, "FAIL") {
				rd.flush(e.Package)
			}
			io.WriteString(rd.w, e.Output)
		case !isFrame(e.Output):
			rd.buffered[k] = append(rd.buffered[k], e.Output)
		}
	case "pass", "skip", "fail":
		if e.Test == "" {
			rd.s.Packages++
			rd.flush(e.Package)
			if e.Action == "fail" {
				rd.failedPkgs[e.Package] = true
			}
			return
		}
		switch e.Action {
		case "pass":
			rd.s.Passed++
		case "skip":
			rd.s.Skipped++
		case "fail":
			rd.s.Failed++
			rd.failedTests[e.Package] = true
			for _, out := range rd.buffered[k] {
				io.WriteString(rd.w, out)
			}
		}
		delete(rd.buffered, k)
	}
}

// isFrame reports the lines test2json's verbose mode adds around a test
// ("=== RUN", "=== PAUSE", ...), which plain go test does not print.
func isFrame(out string) bool {
	for _, p := range []string{"=== RUN ", "=== PAUSE ", "=== CONT ", "=== NAME "} {
		if strings.HasPrefix(out, p) {
			return true
		}
	}
	return false
}

// flush writes and forgets the output of pkg's unfinished tests, in test
// name order, and counts each as failed: the test binary died, or timed
// out, while they ran.
func (rd *reader) flush(pkg string) {
	var names []string
	for k := range rd.buffered {
		if k.pkg == pkg {
			names = append(names, k.test)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		k := key{pkg, name}
		io.WriteString(rd.w, strings.Join(rd.buffered[k], ""))
		delete(rd.buffered, k)
		rd.s.Failed++
		rd.failedTests[pkg] = true
		rd.failedPkgs[pkg] = true
	}
}
