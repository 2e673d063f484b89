package sock

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestEchoOverTCPAndUnix(t *testing.T) {
	r := startApp(t, "")
	path := filepath.Join(t.TempDir(), "echo.sock")
	srv, err := r.svc.CreateServer(r.a.Context(), echoLines, "127.0.0.1 0", path)
	if err != nil {
		t.Fatal(err)
	}
	addrs := srv.Addrs()
	if len(addrs) != 2 || addrs[0].Network != "tcp" || strings.HasSuffix(addrs[0].Address, ":0") || addrs[1] != (Addr{"unix", path}) {
		t.Fatalf("bound addresses %v", addrs)
	}
	for _, a := range addrs {
		c := dial(t, a)
		br := bufio.NewReader(c)
		for i := range 3 {
			want := fmt.Sprintf("hello %s #%d", a.Network, i)
			if got := roundTrip(t, c, br, want); got != want {
				t.Fatalf("%s: echoed %q, want %q", a.Network, got, want)
			}
		}
		c.Close()
	}
	if got := srv.Stats().Total; got != 2 {
		t.Fatalf("Stats().Total = %d, want 2", got)
	}
	if code, _ := r.stop(t, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the unix socket file is still there after exit: %v", err)
	}
	if _, err := net.Dial("tcp", addrs[0].Address); err == nil {
		t.Fatal("the TCP listener still accepts after exit")
	}
}

func TestFiveHundredConcurrentClients(t *testing.T) {
	r := startApp(t, "")
	srv, err := r.svc.CreateServer(r.a.Context(), echoLines, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := srv.Addrs()[0]
	const clients, rounds = 500, 5
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	start := make(chan struct{})
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			c, err := net.DialTimeout("tcp", addr.Address, 20*time.Second)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(30 * time.Second))
			br := bufio.NewReader(c)
			for j := range rounds {
				want := fmt.Sprintf("client %d round %d", i, j)
				fmt.Fprintln(c, want)
				got, err := br.ReadString('\n')
				if err != nil || got != want+"\n" {
					errs <- fmt.Errorf("client %d: got %q, %v", i, got, err)
					return
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := srv.Stats().Total; got != clients {
		t.Fatalf("Stats().Total = %d, want %d", got, clients)
	}
}

func TestStopWhileClientsAreConnected(t *testing.T) {
	r := startApp(t, "[general]\nshutdown_timeout=2s\n")
	var sawDone, returned atomic.Int32
	var entered sync.WaitGroup
	polite := func(ctx context.Context, c net.Conn) {
		defer returned.Add(1)
		entered.Done()
		<-ctx.Done()
		sawDone.Add(1)
	}
	// stubborn ignores ctx and blocks in Read until its connection closes.
	stubborn := func(ctx context.Context, c net.Conn) {
		defer returned.Add(1)
		entered.Done()
		c.Read(make([]byte, 1))
		if ctx.Err() != nil {
			sawDone.Add(1)
		}
	}
	sp, err := r.svc.CreateServer(r.a.Context(), polite, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ss, err := r.svc.CreateServer(r.a.Context(), stubborn, filepath.Join(t.TempDir(), "s.sock"))
	if err != nil {
		t.Fatal(err)
	}
	const each = 10
	entered.Add(2 * each)
	var conns []net.Conn
	for range each {
		conns = append(conns, dial(t, sp.Addrs()[0]), dial(t, ss.Addrs()[0]))
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	entered.Wait()
	code, took := r.stop(t, 10*time.Second)
	if code != 0 {
		t.Fatalf("exit code %d", code)
	}
	// The grace ends at 1.8 s; 2 s is the deadline, plus slack for a
	// loaded machine's scheduling.
	if took > 2500*time.Millisecond {
		t.Fatalf("the application took %s to exit, past its 2 s shutdown deadline", took)
	}
	if took < time.Second {
		t.Fatalf("the application exited after %s: stubborn connections were not given the grace", took)
	}
	if n := returned.Load(); n != 2*each {
		t.Fatalf("%d of %d handlers returned before the application exited", n, 2*each)
	}
	if n := sawDone.Load(); n != 2*each {
		t.Fatalf("%d of %d handlers saw their context done", n, 2*each)
	}
	for _, c := range conns {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err == nil {
			t.Fatal("a client connection is still open after exit")
		}
	}
}

func TestConnectionLimitHolds(t *testing.T) {
	r := startApp(t, "[echo]\nlisten=\n  127.0.0.1 0\n  unix:"+filepath.Join(t.TempDir(), "l.sock")+"\nmax_connections=5\n")
	var cur, peak atomic.Int32
	handler := func(ctx context.Context, c net.Conn) {
		n := cur.Add(1)
		defer cur.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		echoLines(ctx, c)
	}
	srv, err := r.svc.CreateServerFromConfig(r.a.Context(), handler, "echo")
	if err != nil {
		t.Fatal(err)
	}
	const clients = 60
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := srv.Addrs()[i%2]
			c, err := net.DialTimeout(a.Network, a.Address, 20*time.Second)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(30 * time.Second))
			fmt.Fprintf(c, "c%d\n", i)
			got, err := bufio.NewReader(c).ReadString('\n')
			if err != nil || got != fmt.Sprintf("c%d\n", i) {
				errs <- fmt.Errorf("client %d: %q %v", i, got, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if p := peak.Load(); p > 5 || p < 2 {
		t.Fatalf("peak concurrent handlers %d, want at most the limit 5 (and some concurrency)", p)
	}
	st := srv.Stats()
	if st.Total != clients || st.LimitWaits == 0 {
		t.Fatalf("stats %+v: want Total %d and some LimitWaits", st, clients)
	}
}

func TestHandlerPanicKeepsServing(t *testing.T) {
	r := startApp(t, "")
	srv, err := r.svc.CreateServer(r.a.Context(), func(ctx context.Context, c net.Conn) {
		line, _ := bufio.NewReader(c).ReadString('\n')
		if line == "boom\n" {
			panic("boom")
		}
		c.Write([]byte(line))
	}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, srv.Addrs()[0])
	c.Write([]byte("boom\n"))
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("the panicking handler's connection was not closed")
	}
	c.Close()
	c = dial(t, srv.Addrs()[0])
	defer c.Close()
	if got := roundTrip(t, c, bufio.NewReader(c), "still here"); got != "still here" {
		t.Fatalf("after a panic the server echoed %q", got)
	}
}

func TestCreateServerErrors(t *testing.T) {
	r := startApp(t, "[bad]\nlisten=127.0.0.1 99999\n")
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	cases := []struct {
		name string
		make func() error
		want string
	}{
		{"address in use", func() error {
			_, err := r.svc.CreateServer(r.a.Context(), echoLines, taken.Addr().String())
			return err
		}, taken.Addr().String()},
		{"bad address", func() error {
			_, err := r.svc.CreateServer(r.a.Context(), echoLines, "localhost:http")
			return err
		}, `port "http"`},
		{"bad config", func() error {
			_, err := r.svc.CreateServerFromConfig(r.a.Context(), echoLines, "bad")
			return err
		}, "[bad] listen"},
		{"nil handler", func() error {
			_, err := r.svc.CreateServer(r.a.Context(), nil, "127.0.0.1:0")
			return err
		}, "nil handler"},
	}
	for _, c := range cases {
		err := c.make()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
	// A failed server leaves nothing behind: the first address of a pair
	// whose second fails is released again.
	path := filepath.Join(t.TempDir(), "half.sock")
	if _, err := r.svc.CreateServer(r.a.Context(), echoLines, path, taken.Addr().String()); err == nil {
		t.Fatal("a server with an address in use was created")
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the half-created server left its unix socket: %v", err)
	}
	r.stop(t, 10*time.Second)
	if _, err := r.svc.CreateServer(context.Background(), echoLines, "127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), "exiting") {
		t.Fatalf("CreateServer after exit: %v", err)
	}
}

func TestIPv6Loopback(t *testing.T) {
	l, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	l.Close()
	r := startApp(t, "")
	srv, err := r.svc.CreateServer(r.a.Context(), echoLines, ":: 0", "[::1]:0")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range srv.Addrs() {
		_, port, _ := net.SplitHostPort(a.Address)
		c := dial(t, Addr{"tcp", net.JoinHostPort("::1", port)})
		if got := roundTrip(t, c, bufio.NewReader(c), "six"); got != "six" {
			t.Fatalf("%s echoed %q", a, got)
		}
		c.Close()
	}
}
