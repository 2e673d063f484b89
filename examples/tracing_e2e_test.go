package examples_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/internal/otlptest"
	"github.com/asabgo/asab/internal/syncbuf"
)

// TestTracingAcrossProcesses runs two real processes over the real
// RabbitMQ with an OTLP/HTTP receiver of the test's own: process A
// (testdata/tracefront, a web server) answers GET /ask/:text with a MOM
// request that process B (examples/mom) answers. Both export their spans to
// the receiver, and the spans make one trace: A's server span, its child
// the publish span of the request, and B's process span, a child of the
// publish span through the message's traceparent header. A's access-log
// line carries the trace id and the server span's id; B's MOM access-log
// line and its handler's line carry the trace id and the consumer span's.
func TestTracingAcrossProcesses(t *testing.T) {
	if os.Getenv("ASAB_SKIP_AMQP") == "1" {
		t.Skip("ASAB_SKIP_AMQP=1: this test needs RabbitMQ")
	}
	front, back := build(t, "testdata/tracefront"), build(t, "mom")
	recv := otlptest.Start(t)
	dir := t.TempDir()
	queue := fmt.Sprintf("asab.example.tracing.%d", time.Now().UnixNano())
	t.Cleanup(func() { _ = exec.Command("rabbitmqctl", "-q", "delete_queue", queue).Run() })
	tracingConf := fmt.Sprintf("[tracing]\nexporter=otlp-http\nendpoint=%s\nbatch_timeout=100ms\n", recv.URL())

	// B: examples/mom on RabbitMQ, with its own .conf's url line enabled.
	src, err := os.ReadFile("mom/mom.conf")
	if err != nil {
		t.Fatal(err)
	}
	bConf := strings.Replace(string(src), "#url = ", "url = ", 1)
	bConf = strings.Replace(bConf, "queue = asab.example.upper", "queue = "+queue, 1)
	withTracing := strings.Replace(bConf, "#exporter = otlp-http\n#endpoint = http://127.0.0.1:4318\n",
		fmt.Sprintf("exporter = otlp-http\nendpoint = %s\nbatch_timeout = 100ms\n", recv.URL()), 1)
	if withTracing == bConf {
		t.Fatal("mom.conf no longer has the commented [tracing] lines this test enables")
	}
	bLog := filepath.Join(dir, "b.log")
	bConf = strings.Replace(withTracing, "[logging]\nlevel = NOTICE\n", "[logging]\nlevel = NOTICE\nlevels =\n  mom.example INFO\n  asab.mom.al INFO\n", 1)
	if bConf == withTracing {
		t.Fatal("mom.conf no longer has the [logging] level line this test extends")
	}
	bConf += asabtest.JSONLogConfig(bLog)
	b := startProcess(t, back, dir, "b", bConf)
	b.waitStdout(t, "on the AMQP broker")

	// A: the web front, on a free port, asking B over the same RabbitMQ.
	port := freePort(t)
	aLog := filepath.Join(dir, "a.log")
	aConf := asabtest.JSONLogConfig(aLog) + tracingConf +
		fmt.Sprintf("[web]\nlisten=127.0.0.1 %d\n[example]\nqueue=%s\n", port, queue) +
		"[asab:mom:amqp]\nurl=amqp://guest:guest@127.0.0.1:5672/\n"
	a := startProcess(t, front, dir, "a", aConf)
	body := getWhenUp(t, fmt.Sprintf("http://127.0.0.1:%d/ask/tracing", port), a)
	if body != "TRACING" {
		t.Fatalf("GET /ask/tracing = %q; A's stderr:\n%s", body, a.stderr.String())
	}
	a.stop(t)
	b.stop(t)

	spans := recv.Wait(t, 3, 10*time.Second)
	byName := map[string]otlptest.Span{}
	for _, s := range spans {
		byName[s.Name] = s
	}
	server, pub, proc := byName["GET /ask/:text"], byName["publish "+queue], byName["process "+queue]
	if server.SpanID == "" || pub.SpanID == "" || proc.SpanID == "" {
		t.Fatalf("want the server, publish and process spans, got %v", spans)
	}
	for _, s := range []otlptest.Span{pub, proc} {
		if s.TraceID != server.TraceID {
			t.Errorf("span %q is in trace %s, want the request's %s", s.Name, s.TraceID, server.TraceID)
		}
	}
	if server.ParentSpanID != "" || pub.ParentSpanID != server.SpanID || proc.ParentSpanID != pub.SpanID {
		t.Errorf("parents: server %q (want none), publish %s (want %s), process %s (want %s)",
			server.ParentSpanID, pub.ParentSpanID, server.SpanID, proc.ParentSpanID, pub.SpanID)
	}
	if server.Resource["service.name"] != "tracefront" || pub.Resource["service.name"] != "tracefront" ||
		proc.Resource["service.name"] != "mom-example" {
		t.Errorf("services: server %q, publish %q, process %q; want A's for the first two, B's for process",
			server.Resource["service.name"], pub.Resource["service.name"], proc.Resource["service.name"])
	}
	if proc.Attributes["messaging.system"] != "rabbitmq" || pub.Kind != "SPAN_KIND_PRODUCER" || proc.Kind != "SPAN_KIND_CONSUMER" {
		t.Errorf("publish %+v\nprocess %+v", pub, proc)
	}

	var access []asabtest.LogLine
	for _, l := range asabtest.ReadLog(t, aLog, "asab.web.al") {
		if l.Fields["path"] == "/ask/tracing" {
			access = append(access, l)
		}
	}
	if len(access) != 1 {
		t.Fatalf("%d access-log lines for /ask/tracing, want 1", len(access))
	}
	if f := access[0].Fields; f["trace_id"] != server.TraceID || f["span_id"] != server.SpanID {
		t.Errorf("A's access-log line has trace_id %v span_id %v, want %s %s", f["trace_id"], f["span_id"], server.TraceID, server.SpanID)
	}
	// B has no web request: its MOM access-log line and its handler's
	// line, logged with the handler's context, carry the trace and the
	// consumer span.
	for _, logger := range []string{"asab.mom.al", "mom.example"} {
		lines := asabtest.ReadLog(t, bLog, logger)
		if len(lines) != 1 {
			t.Fatalf("%d lines of B's %s, want 1", len(lines), logger)
		}
		if f := lines[0].Fields; f["trace_id"] != server.TraceID || f["span_id"] != proc.SpanID {
			t.Errorf("B's %s line has trace_id %v span_id %v, want %s %s", logger, f["trace_id"], f["span_id"], server.TraceID, proc.SpanID)
		}
	}
}

// process is a program the test started, with its output captured.
type process struct {
	cmd    *exec.Cmd
	stdout *syncbuf.Buffer
	stderr *syncbuf.Buffer
}

// startProcess writes conf to dir/name.conf and starts bin with it.
func startProcess(t *testing.T, bin, dir, name, conf string) *process {
	t.Helper()
	path := filepath.Join(dir, name+".conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: exec.Command(bin, "-c", path), stdout: &syncbuf.Buffer{}, stderr: &syncbuf.Buffer{}}
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
	})
	return p
}

// waitStdout waits up to 30 s for the process to print text.
func (p *process) waitStdout(t *testing.T, text string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if strings.Contains(p.stdout.String(), text) {
			return
		}
	}
	t.Fatalf("%s did not print %q within 30 s; stdout %q stderr:\n%s", p.cmd.Path, text, p.stdout.String(), p.stderr.String())
}

// stop sends SIGTERM and waits up to 20 s for a clean exit.
func (p *process) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s exit: %v; stderr:\n%s", p.cmd.Path, err, p.stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not exit within 20 s of SIGTERM", p.cmd.Path)
	}
}

// getWhenUp GETs url until the server answers (30 s at most) and returns
// the body.
func getWhenUp(t *testing.T, url string, p *process) string {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		res, err := http.Get(url)
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return string(b)
	}
	t.Fatalf("GET %s: no answer within 30 s; stderr:\n%s", url, p.stderr.String())
	return ""
}
