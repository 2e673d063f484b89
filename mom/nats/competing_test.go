package nats_test

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

	"github.com/asabgo/asab/internal/syncbuf"
	"github.com/asabgo/asab/mom"
)

// consumerProcess is a child process running consumerScenario.
type consumerProcess struct {
	cmd    *exec.Cmd
	lines  chan string
	stderr syncbuf.Buffer
	done   chan struct{}
}

func startConsumer(t *testing.T, url string, sp space, queue string) *consumerProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=consumer", "ASAB_TEST_URL="+url, "ASAB_TEST_STREAM="+sp.stream,
		"ASAB_TEST_SUBJECTS="+sp.prefix+".>", "ASAB_TEST_QUEUE="+queue)
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

func (p *consumerProcess) ready(t *testing.T, i int) {
	t.Helper()
	select {
	case line := <-p.lines:
		if line != "ready" {
			t.Fatalf("consumer %d said %q, want ready; stderr:\n%s", i, line, p.stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("consumer %d not ready; stderr:\n%s", i, p.stderr.String())
	}
}

// TestCompetingConsumerProcesses runs two application processes on one
// durable consumer: both get a share, every message is handled exactly
// once, except one whose first attempt fails with Retry, which is handled
// once more (by either process).
func TestCompetingConsumerProcesses(t *testing.T) {
	needServer(t)
	sp := newSpace(t, testURL)
	q := sp.prefix + ".competing"
	procs := []*consumerProcess{startConsumer(t, testURL, sp, q), startConsumer(t, testURL, sp, q)}
	for i, p := range procs {
		p.ready(t, i)
	}
	pub := newBroker(t, sp.config(testURL))
	const n = 1000
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < n; i += 8 {
				body := strconv.Itoa(i)
				if i == 500 {
					body = "fail-once"
				}
				if err := pub.Publish(ctx, []byte(body), q, mom.PublishOptions{}); err != nil {
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
	// Anything handled twice would arrive within a moment.
	extra := time.After(500 * time.Millisecond)
	for wait := true; wait; {
		select {
		case line := <-procs[0].lines:
			got[strings.TrimPrefix(line, "got ")]++
		case line := <-procs[1].lines:
			got[strings.TrimPrefix(line, "got ")]++
		case <-extra:
			wait = false
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
		body := strconv.Itoa(i)
		if i == 500 {
			body = "fail-once"
		}
		if got[body] != 1 {
			t.Fatalf("message %q handled %d times, want once", body, got[body])
		}
	}
}
