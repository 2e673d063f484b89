package amqp_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// rabbitNode is a private RabbitMQ node a test starts for itself: its own
// node name, free ports, data and log directories, configuration and
// Erlang cookie, no plugins. Tests that stop or restart a broker do it to
// such a node, never to the shared one on 5672.
type rabbitNode struct {
	name string // asabtest-PID-N@localhost
	port int
	dir  string
	bin  string // the directory of rabbitmq-server and rabbitmqctl
	env  []string
	cmd  *exec.Cmd
	done chan struct{}
}

var rabbitNodes atomic.Int32

// rabbitBin finds the directory of the RabbitMQ scripts that run as the
// calling user (Debian's /usr/sbin wrappers switch to the rabbitmq user and
// its home, whose cookie is the shared node's).
func rabbitBin() (string, error) {
	if _, err := os.Stat("/usr/lib/rabbitmq/bin/rabbitmq-server"); err == nil {
		return "/usr/lib/rabbitmq/bin", nil
	}
	p, err := exec.LookPath("rabbitmq-server")
	if err != nil {
		return "", err
	}
	return filepath.Dir(p), nil
}

// freePort asks the kernel for a free TCP port on 127.0.0.1.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startRabbitNode starts a private node and waits (at most 60 s) until it
// is up; the test is skipped when RabbitMQ is not installed or the node
// does not come up in time. The node is stopped at cleanup.
func startRabbitNode(t *testing.T) *rabbitNode {
	t.Helper()
	bin, err := rabbitBin()
	if err != nil {
		t.Skipf("no private RabbitMQ node: rabbitmq-server not found: %v", err)
	}
	dir := t.TempDir()
	n := &rabbitNode{name: fmt.Sprintf("asabtest-%d-%d@localhost", os.Getpid(), rabbitNodes.Add(1)),
		port: freePort(t), dir: dir, bin: bin, done: make(chan struct{})}
	var cookie [20]byte
	_, _ = rand.Read(cookie[:])
	files := map[string]string{
		"rabbitmq.conf":   fmt.Sprintf("listeners.tcp.default = 127.0.0.1:%d\n", n.port),
		"enabled_plugins": "[].\n",
		"env.conf":        "",
		".erlang.cookie":  hex.EncodeToString(cookie[:]),
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o400); err != nil {
			t.Fatal(err)
		}
	}
	n.env = append(os.Environ(), "HOME="+dir, "RABBITMQ_NODENAME="+n.name,
		"RABBITMQ_NODE_PORT="+strconv.Itoa(n.port), "RABBITMQ_DIST_PORT="+strconv.Itoa(freePort(t)),
		"RABBITMQ_MNESIA_BASE="+filepath.Join(dir, "mnesia"), "RABBITMQ_LOG_BASE="+filepath.Join(dir, "log"),
		"RABBITMQ_CONFIG_FILE="+filepath.Join(dir, "rabbitmq.conf"),
		"RABBITMQ_ENABLED_PLUGINS_FILE="+filepath.Join(dir, "enabled_plugins"),
		"RABBITMQ_CONF_ENV_FILE="+filepath.Join(dir, "env.conf"), // not the shared node's
		"RABBITMQ_PID_FILE="+filepath.Join(dir, "pid"), "ERL_EPMD_ADDRESS=127.0.0.1")
	out, err := os.Create(filepath.Join(dir, "server.out"))
	if err != nil {
		t.Fatal(err)
	}
	n.cmd = exec.Command(filepath.Join(bin, "rabbitmq-server"))
	n.cmd.Env, n.cmd.Dir, n.cmd.Stdout, n.cmd.Stderr = n.env, dir, out, out
	// Its own process group (so that a kill reaches the Erlang VM too), and
	// SIGTERM should the test binary die without its cleanup.
	n.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := n.cmd.Start(); err != nil {
		_ = out.Close()
		t.Skipf("no private RabbitMQ node: %v", err)
	}
	go func() { _ = n.cmd.Wait(); _ = out.Close(); close(n.done) }()
	t.Cleanup(n.stop)
	if err := n.ctlErr(75*time.Second, "wait", "--timeout", "60", filepath.Join(dir, "pid")); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "server.out"))
		t.Skipf("the private RabbitMQ node %s did not start within 60 s: %v\n%s", n.name, err, log)
	}
	t.Logf("private RabbitMQ node %s on 127.0.0.1:%d", n.name, n.port)
	return n
}

// URL is the node's AMQP URL (guest/guest, allowed from loopback).
func (n *rabbitNode) URL() string { return fmt.Sprintf("amqp://guest:guest@127.0.0.1:%d/", n.port) }

// Addr is the node's AMQP listener, for a proxy in front of it.
func (n *rabbitNode) Addr() string { return "127.0.0.1:" + strconv.Itoa(n.port) }

// ctl runs rabbitmqctl against this node only (-n), failing the test on
// error.
func (n *rabbitNode) ctl(t *testing.T, args ...string) {
	t.Helper()
	if err := n.ctlErr(60*time.Second, args...); err != nil {
		t.Errorf("rabbitmqctl -n %s %v: %v", n.name, args, err)
	}
}

func (n *rabbitNode) ctlErr(timeout time.Duration, args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(n.bin, "rabbitmqctl"), append([]string{"-n", n.name}, args...)...)
	cmd.Env, cmd.Dir = n.env, n.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%w\n%s", err, out)
	}
	return nil
}

// Restart stops and starts the RabbitMQ application of the private node
// (its Erlang node stays up), as a broker restart looks to clients.
func (n *rabbitNode) Restart(t *testing.T, down time.Duration) {
	t.Helper()
	n.ctl(t, "stop_app")
	time.Sleep(down)
	n.ctl(t, "start_app")
	n.ctl(t, "await_startup")
}

// stop halts the node, and kills its process group if it does not go.
func (n *rabbitNode) stop() {
	_ = n.ctlErr(30*time.Second, "stop")
	select {
	case <-n.done:
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-n.cmd.Process.Pid, syscall.SIGKILL)
		<-n.done
	}
}
