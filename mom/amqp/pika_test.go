package amqp_test

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/internal/otlptest"
	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/amqp"
	"github.com/asabgo/asab/tracing"
)

// pythonWithPika returns a python3 that can import pika (Debian's
// python3-pika installs it for /usr/bin/python3), or skips the test.
func pythonWithPika(t *testing.T) string {
	t.Helper()
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(py, "-c", "import pika").Run() == nil {
			return py
		}
	}
	t.Skip("no python3 with pika (apt-get install python3-pika)")
	return ""
}

// A trace started by pika, the Python client, continues in the asab
// consumer: the handler runs in the client's trace, the exported consumer
// span is a child of the client's span, and the reply pika reads carries a
// traceparent naming that consumer span.
func TestPikaTraceparentContinues(t *testing.T) {
	needServer(t)
	py := pythonWithPika(t)
	recv := otlptest.Start(t)
	conf := asabtest.JSONLogConfig(t.TempDir()+"/log.json") +
		fmt.Sprintf("[tracing]\nexporter=otlp-http\nendpoint=%s\nbatch_timeout=100ms\n", recv.URL())
	r := asabtest.New(t, conf).AddModule(tracing.Module).Start()
	b := newBroker(t, amqp.Config{})
	b.SetTracer(asabtest.Service[*tracing.Service](t, r))
	queue := unique("asab.test.pika")
	deleteLater(t, queue, "")
	inHandler := make(chan trace.SpanContext, 1)
	if err := b.Add(queue, func(ctx context.Context, m *mom.Message) ([]byte, error) {
		inHandler <- trace.SpanContextFromContext(ctx)
		return []byte(strings.ToUpper(string(m.Body))), nil
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := b.Subscribe(ctx, queue, mom.SubscribeOptions{}); err != nil {
		t.Fatal(err)
	}

	const traceID, parentID = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"
	out, err := exec.CommandContext(ctx, py, "testdata/pika_request.py", queue, "00-"+traceID+"-"+parentID+"-01").CombinedOutput()
	if err != nil {
		t.Fatalf("pika: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 || lines[0] != "HI" {
		t.Fatalf("pika printed %q, want the reply HI and its traceparent", out)
	}
	sc := <-inHandler
	if sc.TraceID().String() != traceID {
		t.Errorf("the handler runs in trace %s, want pika's %s", sc.TraceID(), traceID)
	}
	if want := "00-" + traceID + "-" + sc.SpanID().String() + "-01"; lines[1] != want {
		t.Errorf("the reply's traceparent is %q, want %q (the consumer span)", lines[1], want)
	}
	sp := recv.Wait(t, 1, 10*time.Second)[0]
	if sp.TraceID != traceID || sp.ParentSpanID != parentID || sp.Name != "process "+queue {
		t.Errorf("exported span %+v: want process %s in trace %s with parent %s", sp, queue, traceID, parentID)
	}
}
