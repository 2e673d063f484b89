package amqp_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/amqp"
)

// consumerProcess is a child process running consumerScenario.
type consumerProcess struct {
	cmd    *exec.Cmd
	lines  chan string
	stderr strings.Builder
	done   chan struct{}
}

func startConsumer(t *testing.T, queue string) *consumerProcess {
	t.Helper()
	return startScenario(t, "consumer", "ASAB_TEST_QUEUE="+queue)
}

// startScenario re-executes the test binary as the named scenario, with
// env added to the environment; its stdout lines arrive on lines.
func startScenario(t *testing.T, name string, env ...string) *consumerProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), childEnv+"="+name), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &consumerProcess{cmd: cmd, lines: make(chan string, 4096), done: make(chan struct{})}
	cmd.Stderr = &p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
	})
	return p
}

// TestCompetingConsumerProcesses runs two application processes on one
// queue: both get a share of the messages and none is lost.
func TestCompetingConsumerProcesses(t *testing.T) {
	needServer(t)
	q := unique("asab.test.competing")
	deleteLater(t, q, "")
	procs := []*consumerProcess{startConsumer(t, q), startConsumer(t, q)}
	for i, p := range procs {
		select {
		case line := <-p.lines:
			if line != "ready" {
				t.Fatalf("consumer %d said %q, want ready; stderr:\n%s", i, line, p.stderr.String())
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("consumer %d not ready", i)
		}
	}
	pub := newBroker(t, amqp.Config{})
	const n = 1000
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < n; i += 8 {
				if err := pub.Publish(ctx, []byte(strconv.Itoa(i)), q, mom.PublishOptions{Persistent: true}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()

	got := make(map[string]int)
	share := make([]int, len(procs))
	deadline := time.After(30 * time.Second)
	for len(got) < n {
		select {
		case line := <-procs[0].lines:
			got[strings.TrimPrefix(line, "got ")]++
			share[0]++
		case line := <-procs[1].lines:
			got[strings.TrimPrefix(line, "got ")]++
			share[1]++
		case <-deadline:
			t.Fatalf("only %d of %d messages arrived (shares %v)", len(got), n, share)
		}
	}
	for _, p := range procs {
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range procs {
		select {
		case <-p.done:
			if code := p.cmd.ProcessState.ExitCode(); code != 0 {
				t.Errorf("consumer %d exited %d; stderr:\n%s", i, code, p.stderr.String())
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("consumer %d did not stop", i)
		}
	}
	t.Logf("shares: %v of %d messages", share, n)
	if share[0] == 0 || share[1] == 0 {
		t.Fatalf("one process got no share: %v", share)
	}
	for i := range n {
		if got[strconv.Itoa(i)] == 0 {
			t.Fatalf("message %d lost", i)
		}
	}
}
