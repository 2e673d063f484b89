// Package examples_test builds every program under examples/ and runs it the
// way its doc comment says, with its own .conf, checking what it prints and
// how it exits.
package examples_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// build compiles examples/<name> into a temporary directory.
func build(t *testing.T, name string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("go", "build", "-o", bin, "./"+name)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", name, err, out)
	}
	return bin
}

// run starts bin with args and env and waits up to limit for it to exit.
func run(t *testing.T, limit time.Duration, bin string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s did not exit within %s; stdout %q stderr %q", bin, limit, out.String(), errb.String())
	}
	code = 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("run %s: %v", bin, err)
		}
		code = ee.ExitCode()
	}
	return out.String(), errb.String(), code
}

func TestHello(t *testing.T) {
	bin := build(t, "hello")
	out, errs, code := run(t, 20*time.Second, bin, nil, "-c", "hello/hello.conf")
	if code != 0 || out != "Hello world!\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if !strings.Contains(errs, "NOTICE asab.application is ready.") {
		t.Fatalf("stderr lacks the ready line: %q", errs)
	}
	out, _, code = run(t, 20*time.Second, bin, nil, "--version")
	if code != 0 || out != "hello 1.0.0\n" {
		t.Fatalf("--version: exit %d, %q", code, out)
	}
	_, errs, code = run(t, 20*time.Second, bin, nil, "--no-such-flag")
	if code != 2 || !strings.Contains(errs, "usage:") {
		t.Fatalf("unknown flag: exit %d, stderr %q", code, errs)
	}
	_, errs, code = run(t, 20*time.Second, bin, nil, "-c", "hello/missing.conf")
	if code != 1 || !strings.Contains(errs, "missing.conf") {
		t.Fatalf("missing config: exit %d, stderr %q", code, errs)
	}
}

func TestModule(t *testing.T) {
	bin := build(t, "module")
	out, errs, code := run(t, 20*time.Second, bin, []string{"USER_GREETING=Ahoy"}, "-c", "module/module.conf")
	if code != 0 || out != "Ahoy, world!\ngreeter saw 3 ticks\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
	// Without the variable, ${USER_GREETING} falls back to the key of that name.
	t.Setenv("USER_GREETING", "") // restored after the test
	os.Unsetenv("USER_GREETING")
	out, errs, code = run(t, 20*time.Second, bin, nil, "-c", "module/module.conf")
	if code != 0 || out != "Hello, world!\ngreeter saw 3 ticks\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestTimer(t *testing.T) {
	bin := build(t, "timer")
	out, errs, code := run(t, 20*time.Second, bin, nil, "-c", "timer/timer.conf")
	want := "one-shot fired\nrepeating call 1\nrepeating call 2\nrepeating call 3\nrepeating call 4\n"
	if code != 0 || out != want {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// TestPdict runs the counter three times on one state file, then twice at
// once: every run is counted exactly once.
func TestPdict(t *testing.T) {
	bin := build(t, "pdict")
	conf := filepath.Join(t.TempDir(), "pdict.conf")
	src, err := os.ReadFile("pdict/pdict.conf")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(conf, src, 0o600); err != nil { // ${THIS_DIR} is now the temp dir
		t.Fatal(err)
	}
	for want := 1; want <= 3; want++ {
		out, errs, code := run(t, 20*time.Second, bin, nil, "-c", conf)
		if code != 0 || !strings.HasPrefix(out, fmt.Sprintf("run #%d (state in %s/state/counter.pdict)", want, filepath.Dir(conf))) {
			t.Fatalf("run %d: exit %d, stdout %q, stderr %q", want, code, out, errs)
		}
	}
	outs := make(chan string, 2)
	for range 2 {
		go func() {
			out, _ := exec.Command(bin, "-c", conf).Output()
			outs <- string(out)
		}()
	}
	var runs []string
	for range 2 {
		runs = append(runs, strings.Fields(<-outs + " ? ?")[1])
	}
	sort.Strings(runs)
	if runs[0] != "#4" || runs[1] != "#5" {
		t.Fatalf("two runs at once counted %v, want #4 and #5", runs)
	}
}
