package sock

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/pubsub"
)

// running is an application running in the background of a test.
type running struct {
	a    *app.Application
	svc  *Service
	code chan int
}

// startApp runs an application with a sock Service named "test.Sock" and
// the given configuration, and returns once it is in run-time.
func startApp(t testing.TB, conf string) *running {
	t.Helper()
	a := app.New(app.WithName("socktest"), app.WithArgs(), app.WithConfigString(conf))
	if err := a.AddModule(Module("test.Sock")); err != nil {
		a.Release()
		t.Fatal(err)
	}
	svc, err := app.GetService[*Service](a, "test.Sock")
	if err != nil {
		a.Release()
		t.Fatal(err)
	}
	started := make(chan struct{})
	sub := a.PubSub().Subscribe(pubsub.Run, func(pubsub.Message) error { close(started); return nil })
	r := &running{a: a, svc: svc, code: make(chan int, 1)}
	go func() { r.code <- a.Run() }()
	select {
	case <-started:
		sub.Unsubscribe()
	case c := <-r.code:
		t.Fatalf("the application exited with %d before run-time", c)
	case <-time.After(10 * time.Second):
		t.Fatal("the application did not reach run-time")
	}
	t.Cleanup(func() { r.stop(t, 30*time.Second) })
	return r
}

// stop stops the application and returns its exit code and how long it
// took; it fails the test if it takes longer than limit.
func (r *running) stop(t testing.TB, limit time.Duration) (int, time.Duration) {
	t.Helper()
	if r.code == nil {
		return 0, 0
	}
	begin := time.Now()
	r.a.Stop()
	select {
	case c := <-r.code:
		r.code = nil
		return c, time.Since(begin)
	case <-time.After(limit):
		t.Fatalf("the application did not exit within %s", limit)
	}
	return 0, 0
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
