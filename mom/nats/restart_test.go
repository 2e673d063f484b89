package nats_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/asabgo/asab/mom"
)

// privateServer is a nats-server with JetStream that a test starts on a
// free port with its own store directory, and may stop and start again.
type privateServer struct {
	t    *testing.T
	bin  string
	port int
	dir  string
	cmd  *exec.Cmd
	done chan struct{}
}

func startPrivateServer(t *testing.T) *privateServer {
	t.Helper()
	bin, err := exec.LookPath("nats-server")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/nats-server"); serr != nil {
			t.Fatalf("nats-server not found on PATH nor in /usr/sbin: %v", err)
		}
		bin = "/usr/sbin/nats-server"
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	s := &privateServer{t: t, bin: bin, port: port, dir: t.TempDir()}
	s.start()
	t.Cleanup(func() { s.stop(syscall.SIGKILL) })
	return s
}

func (s *privateServer) url() string { return "nats://127.0.0.1:" + strconv.Itoa(s.port) }

func (s *privateServer) start() {
	s.t.Helper()
	s.cmd = exec.Command(s.bin, "-js", "-a", "127.0.0.1", "-p", strconv.Itoa(s.port), "-sd", s.dir)
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(s.cmd, s.done)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(s.port), 200*time.Millisecond)
		if err == nil {
			_ = c.Close()
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("private nats-server did not listen on %d: %v", s.port, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop ends the server with sig and waits for it to exit.
func (s *privateServer) stop(sig syscall.Signal) {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(sig)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
}

// TestRestartLosesNoConfirmedMessage publishes numbered messages from
// several publishers while a consumer consumes, and restarts a private
// nats-server twice mid-stream: once with SIGTERM (a clean restart) and
// once with SIGKILL. Every message whose Publish returned nil must be
// handled; duplicates are counted (at-least-once), and the test logs the
// figure: confirmed, handled, lost.
// It runs with and without Config.Deduplicate.
func TestRestartLosesNoConfirmedMessage(t *testing.T) {
	for _, dedup := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "deduplicate"}[dedup], func(t *testing.T) { testRestart(t, dedup) })
	}
}

func testRestart(t *testing.T, dedup bool) {
	srv := startPrivateServer(t)
	sp := space{stream: "ASABRESTART", prefix: "asabrestart"}
	cfg := sp.config(srv.url())
	cfg.MaxAckPending, cfg.Deduplicate = 50, dedup
	q := sp.prefix + ".jobs"
	consumer := newBroker(t, cfg)
	var mu sync.Mutex
	seen := make(map[int]int)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(consumer.Add(q, func(_ context.Context, m *mom.Message) ([]byte, error) {
		n, err := strconv.Atoi(string(m.Body))
		if err != nil {
			return nil, err
		}
		mu.Lock()
		seen[n]++
		mu.Unlock()
		return nil, nil
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	must(consumer.Subscribe(ctx, q, mom.SubscribeOptions{}))
	pub := newBroker(t, cfg)

	const total = 6000
	faults := map[int]syscall.Signal{total / 3: syscall.SIGTERM, 2 * total / 3: syscall.SIGKILL}
	var next, confirmedN, failed atomic.Int64
	confirmed := make([]bool, total)
	var wg sync.WaitGroup
	var faultMu sync.Mutex
	for range 4 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= total {
					return
				}
				if sig, ok := faults[i]; ok {
					faultMu.Lock()
					t.Logf("restarting the server (%v) at message %d", sig, i)
					srv.stop(sig)
					time.Sleep(300 * time.Millisecond)
					srv.start()
					faultMu.Unlock()
				}
				pctx, pcancel := context.WithTimeout(ctx, 30*time.Second)
				err := pub.Publish(pctx, []byte(strconv.Itoa(i)), q, mom.PublishOptions{Persistent: true})
				pcancel()
				if err != nil {
					failed.Add(1)
					t.Logf("publish %d: %v", i, err)
					continue
				}
				mu.Lock()
				confirmed[i] = true
				mu.Unlock()
				confirmedN.Add(1)
			}
		})
	}
	wg.Wait()
	lost := func() (lost, dup, handled int) {
		mu.Lock()
		defer mu.Unlock()
		for i, ok := range confirmed {
			if ok && seen[i] == 0 {
				lost++
			}
			if seen[i] > 1 {
				dup += seen[i] - 1
			}
		}
		return lost, dup, len(seen)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		l, _, _ := lost()
		if l == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	l, dup, handled := lost()
	snap := consumer.Counters().Snapshot()
	t.Logf("figure: %d published, %d confirmed, %d failed, %d handled, %d lost, %d duplicates; consumer reconnects %d",
		total, confirmedN.Load(), failed.Load(), handled, l, dup, snap.Reconnects)
	if l > 0 {
		t.Fatalf("%d confirmed messages lost across the restarts", l)
	}
	if confirmedN.Load() == 0 || snap.Reconnects < 2 {
		t.Fatalf("the test did not exercise the restarts: %d confirmed, %d reconnects", confirmedN.Load(), snap.Reconnects)
	}
}
