package sock

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
)

// running is an application running in the background of a test.
type running struct {
	*asabtest.App
	a   *app.Application
	svc *Service
}

// startApp runs an application with a sock Service named "test.Sock" and
// the given configuration, and returns once it is in run-time.
func startApp(t testing.TB, conf string) *running {
	t.Helper()
	r := &running{App: asabtest.New(t, conf, app.WithName("socktest")).AddModule(ModuleWith(WithName("test.Sock")))}
	r.a = r.Application
	r.svc = asabtest.ServiceNamed[*Service](t, r.App, "test.Sock")
	r.Start()
	return r
}

// stop stops the application and returns its exit code and how long it
// took; it fails the test if it takes longer than limit.
func (r *running) stop(t testing.TB, limit time.Duration) (int, time.Duration) {
	t.Helper()
	begin := time.Now()
	code := r.Stop()
	took := time.Since(begin)
	if took > limit {
		t.Fatalf("the application took %s to exit, more than %s", took, limit)
	}
	return code, took
}

// echoLines is the echo example's handler: it writes back every line.
func echoLines(ctx context.Context, conn net.Conn) {
	r := bufio.NewReader(conn)
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return
		}
		if _, err := conn.Write(line); err != nil {
			return
		}
	}
}

// roundTrip sends line and returns the line read back.
func roundTrip(t testing.TB, c net.Conn, r *bufio.Reader, line string) string {
	t.Helper()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte(line + "\n")); err != nil {
		t.Fatalf("write: %v", err)
	}
	got, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return strings.TrimSuffix(got, "\n")
}

func dial(t testing.TB, a Addr) net.Conn {
	t.Helper()
	c, err := net.DialTimeout(a.Network, a.Address, 10*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", a.Address, err)
	}
	return c
}
