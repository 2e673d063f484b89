// Command sock measures line echo round trips per second for concurrent
// clients against the echoserver example's handler served two ways in the
// same run: through a sock.Service inside a running asab application, and
// through a bare net.Listener accept loop with a goroutine per connection.
// It alternates the two, prints every run, the medians and their ratio.
//
//	go run ./bench/sock -clients 64 -duration 1s -runs 11
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/examples/echoserver/echo"
	"github.com/asabgo/asab/pubsub"
	"github.com/asabgo/asab/sock"
)

func main() {
	clients := flag.Int("clients", 64, "concurrent clients, one connection each")
	duration := flag.Duration("duration", time.Second, "length of one measurement")
	runs := flag.Int("runs", 11, "measurements of each server, alternating")
	flag.Parse()
	if err := run(*clients, *duration, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "bench/sock:", err)
		os.Exit(1)
	}
}

func run(clients int, d time.Duration, runs int) error {
	bare, err := startBare()
	if err != nil {
		return err
	}
	defer bare.stop()
	fw, err := startFramework()
	if err != nil {
		return err
	}
	defer fw.stop()

	fmt.Printf("socket echo: %d clients, %s per run, %d runs each, GOMAXPROCS %d, %s\n",
		clients, d, runs, runtime.GOMAXPROCS(0), runtime.Version())
	// Each run measures both servers back to back, in alternating order, so
	// that drifting load from other processes hits both alike; the per-run
	// ratio's median is the figure least disturbed by it.
	var bareRates, fwRates, ratios []float64
	for i := range runs {
		var b, f float64
		var err error
		if i%2 == 0 {
			if b, err = measure(bare.addr, clients, d); err == nil {
				f, err = measure(fw.addr, clients, d)
			}
		} else {
			if f, err = measure(fw.addr, clients, d); err == nil {
				b, err = measure(bare.addr, clients, d)
			}
		}
		if err != nil {
			return err
		}
		bareRates, fwRates, ratios = append(bareRates, b), append(fwRates, f), append(ratios, f/b)
		fmt.Printf("run %d: bare %.0f round-trips/s, framework %.0f round-trips/s, ratio %.3f\n", i+1, b, f, f/b)
	}
	mb, mf := median(bareRates), median(fwRates)
	fmt.Printf("median: bare net.Listener %.0f round-trips/s, sock.Service %.0f round-trips/s, ratio of medians %.3f, median ratio %.3f (target 0.95)\n",
		mb, mf, mf/mb, median(ratios))
	return nil
}

// server is one of the two echo servers under test.
type server struct {
	addr string
	stop func()
}

// startBare serves echo.Lines from a plain accept loop.
func startBare() (*server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); defer c.Close(); echo.Lines(ctx, c) }()
		}
	}()
	return &server{addr: l.Addr().String(), stop: func() { l.Close(); cancel(); wg.Wait() }}, nil
}

// startFramework runs an asab application whose sock.Service serves
// echo.Lines.
func startFramework() (*server, error) {
	a := app.New(app.WithName("bench-sock"), app.WithArgs(), app.WithConfigString("[logging]\nlevel=WARNING\n"))
	if err := a.AddModule(sock.ModuleWith(sock.WithName("bench.EchoServer"))); err != nil {
		a.Release()
		return nil, err
	}
	svc, err := app.ServiceNamed[*sock.Service](a, "bench.EchoServer")
	if err != nil {
		a.Release()
		return nil, err
	}
	running := make(chan struct{})
	a.PubSub().Subscribe(pubsub.Run, func(pubsub.Message) error { close(running); return nil })
	code := make(chan int, 1)
	go func() { code <- a.Run() }()
	select {
	case <-running:
	case c := <-code:
		return nil, fmt.Errorf("the application exited with %d before run-time", c)
	}
	srv, err := svc.CreateServer(a.Context(), echo.Lines, "127.0.0.1 0")
	if err != nil {
		a.Stop()
		<-code
		return nil, err
	}
	return &server{addr: srv.Addrs()[0].Address, stop: func() { a.Stop(); <-code }}, nil
}

// measure connects clients to addr, each sending a line and reading it back
// in a loop for d, and returns round trips per second.
func measure(addr string, clients int, d time.Duration) (float64, error) {
	conns := make([]net.Conn, clients)
	for i := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return 0, fmt.Errorf("connect to %s: %w", addr, err)
		}
		defer c.Close()
		conns[i] = c
	}
	var total atomic.Int64
	var firstErr error
	var once sync.Once
	stop := make(chan struct{})
	var wg sync.WaitGroup
	msg := []byte("the quick brown fox jumps over the lazy dog\n")
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := bufio.NewReader(c)
			n := int64(0)
			defer func() { total.Add(n) }()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := c.Write(msg); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				line, err := r.ReadSlice('\n')
				if err == nil && len(line) != len(msg) {
					err = errors.New("short echo")
				}
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				n++
			}
		}()
	}
	begin := time.Now()
	time.Sleep(d)
	close(stop)
	wg.Wait()
	return float64(total.Load()) / time.Since(begin).Seconds(), firstErr
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
