package testsum_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/asabgo/asab/internal/testsum"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestReadRealRun runs go test -json over testdata/sample (a module of its
// own: a package with passing, skipped, failing tests and subtests, one
// whose test exits the binary, one that does not build, one without tests)
// and checks the counts and what is shown.
func TestReadRealRun(t *testing.T) {
	cmd := exec.Command("go", "test", "-json", "-count=1", "./...")
	cmd.Dir = filepath.Join("testdata", "sample")
	cmd.Env = append(os.Environ(), "GOWORK=off")
	stream, err := cmd.Output()
	if _, ok := err.(*exec.ExitError); !ok {
		t.Fatalf("go test over the sample should fail with an exit status: %v", err)
	}
	var out bytes.Buffer
	s, err := testsum.Read(bytes.NewReader(stream), &out)
	if err != nil {
		t.Fatal(err)
	}
	// Passed: TestPass, TestSub/ok, crash's TestPass. Failed: TestFail,
	// TestSub/bad, TestSub, TestCrash (the binary exited under it), and
	// the broken package. Skipped: TestSkip.
	want := testsum.Summary{Passed: 3, Failed: 5, Skipped: 1, Packages: 4,
		FailedPackages: []string{"sample", "sample/broken", "sample/crash"}}
	if s.Line("x") != want.Line("x") || strings.Join(s.FailedPackages, " ") != strings.Join(want.FailedPackages, " ") || s.OK() {
		t.Fatalf("summary %+v, want %+v\n%s", s, want, out.String())
	}
	text := out.String()
	for _, shown := range []string{
		"failed on purpose", "--- FAIL: TestSub/bad", "last words", "undefined: undefined",
		"FAIL\tsample/broken [build failed]", "?   \tsample/empty\t[no test files]",
	} {
		if !strings.Contains(text, shown) {
			t.Errorf("output lacks %q:\n%s", shown, text)
		}
	}
	for _, hidden := range []string{"quiet when passing", "=== RUN", "skipped on purpose", "\nPASS\n"} {
		if strings.Contains(text, hidden) {
			t.Errorf("output shows %q:\n%s", hidden, text)
		}
	}
	if i, j := strings.Index(text, "last words"), strings.Index(text, "FAIL\tsample/crash"); i < 0 || j < i {
		t.Errorf("a crashed test's output should come before its package's FAIL line:\n%s", text)
	}
}

func TestReadPassesOtherLinesThrough(t *testing.T) {
	in := "go: warning: something\n" +
		`{"Action":"pass","Package":"p","Test":"T"}` + "\n" +
		`{"Action":"output","Package":"p","Output":"ok  \tp\t0.1s\n"}` + "\n" +
		`{"Action":"pass","Package":"p"}` + "\n"
	var out bytes.Buffer
	s, err := testsum.Read(strings.NewReader(in), &out)
	if err != nil || !s.OK() || s.Line("make test") != "make test: 1 passed, 0 failed, 0 skipped (1 packages)" {
		t.Fatalf("%+v %v", s, err)
	}
	if out.String() != "go: warning: something\nok  \tp\t0.1s\n" {
		t.Fatalf("output %q", out.String())
	}
}

// A stream that ends while a test runs (go test was killed) is a failure.
func TestReadCutStream(t *testing.T) {
	in := `{"Action":"run","Package":"p","Test":"T"}` + "\n" +
		`{"Action":"output","Package":"p","Test":"T","Output":"working\n"}` + "\n"
	var out bytes.Buffer
	s, err := testsum.Read(strings.NewReader(in), &out)
	if err != nil || s.OK() || s.Failed != 1 || out.String() != "working\n" {
		t.Fatalf("%+v %v %q", s, err, out.String())
	}
}

// TestCommandExitCode builds scripts/testsum and runs it over the sample
// (failing) and over its passing package alone: exit 1 and 0, and the
// summary is the last line either way.
func TestCommandExitCode(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "testsum")
	if out, err := exec.Command("go", "build", "-o", bin, "../../scripts/testsum").CombinedOutput(); err != nil {
		t.Fatalf("build scripts/testsum: %v\n%s", err, out)
	}
	for _, c := range []struct {
		pkg  string
		code int
		last string
	}{
		{"./...", 1, "make test: 3 passed, 5 failed, 1 skipped (4 packages)"},
		{"./empty", 0, "make test: 0 passed, 0 failed, 0 skipped (1 packages)"},
	} {
		cmd := exec.Command(bin, "-count=1", c.pkg)
		cmd.Dir = filepath.Join("testdata", "sample")
		cmd.Env = append(os.Environ(), "GOWORK=off")
		out, _ := cmd.CombinedOutput()
		lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
		if cmd.ProcessState.ExitCode() != c.code || lines[len(lines)-1] != c.last {
			t.Errorf("testsum %s: exit %d, last line %q; want %d, %q\n%s", c.pkg, cmd.ProcessState.ExitCode(), lines[len(lines)-1], c.code, c.last, out)
		}
	}
}
