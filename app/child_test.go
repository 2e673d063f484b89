package app

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/asabgo/asab/internal/syncbuf"
)

// child is a running scenario process.
type child struct {
	t      *testing.T
	cmd    *exec.Cmd
	lines  chan string
	seen   []string
	stderr *syncbuf.Buffer
	done   chan struct{}
	code   int
}

// startChild re-executes the test binary as the named scenario.
func startChild(t *testing.T, scenario string, env ...string) *child {
	t.Helper()
	return startChildFiles(t, scenario, nil, env...)
}

// startChildFiles is startChild with files passed as fd 3 on.
func startChildFiles(t *testing.T, scenario string, files []*os.File, env ...string) *child {
	t.Helper()
	return startChildWith(t, os.Args[0], scenario, files, env...)
}

// startChildBinary is startChild with a copy of the test binary.
func startChildBinary(t *testing.T, bin, scenario string, env ...string) *child {
	t.Helper()
	return startChildWith(t, bin, scenario, nil, env...)
}

func startChildWith(t *testing.T, bin, scenario string, files []*os.File, env ...string) *child {
	t.Helper()
	cmd := exec.Command(bin, "-test.run=^$")
	cmd.Env = envWith(scenario, env...)
	cmd.ExtraFiles = files
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{t: t, cmd: cmd, lines: make(chan string, 1024), stderr: &syncbuf.Buffer{}, done: make(chan struct{})}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
		_ = cmd.Wait()
		c.code = cmd.ProcessState.ExitCode()
		close(c.done)
	}()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			_ = cmd.Process.Kill()
			<-c.done
		}
	})
	return c
}

// waitFor reads lines until one equals want.
func (c *child) waitFor(want string) {
	c.t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				c.t.Fatalf("child ended before %q; saw %q; stderr:\n%s", want, c.seen, c.stderr.String())
			}
			c.seen = append(c.seen, line)
			if line == want {
				return
			}
		case <-timeout:
			c.t.Fatalf("no %q within 20s; saw %q; stderr:\n%s", want, c.seen, c.stderr.String())
		}
	}
}

// wait waits for the child to exit and returns every stdout line and the
// exit code.
func (c *child) wait(limit time.Duration) ([]string, int) {
	c.t.Helper()
	timeout := time.After(limit)
	for {
		select {
		case line, ok := <-c.lines:
			if ok {
				c.seen = append(c.seen, line)
				continue
			}
			<-c.done
			return c.seen, c.code
		case <-timeout:
			c.t.Fatalf("child did not exit within %s; saw %q; stderr:\n%s", limit, c.seen, c.stderr.String())
		}
	}
}

func (c *child) signal(sig syscall.Signal) {
	c.t.Helper()
	if err := c.cmd.Process.Signal(sig); err != nil {
		c.t.Fatal(err)
	}
}

func joinLines(lines []string) string { return strings.Join(lines, "\n") }
