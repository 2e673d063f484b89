package sock

import (
	"bufio"
	"context"
	"net"
	"runtime"
	"sync"
	"testing"
)

// BenchmarkEchoRoundTrip measures one line echo round trip with 64
// concurrent clients (GOMAXPROCS*parallelism), through a Service and
// through a bare net.Listener accept loop running the same handler.
func BenchmarkEchoRoundTrip(b *testing.B) {
	b.Run("service", func(b *testing.B) {
		r := startApp(b, "[logging]\nlevel=WARNING\n")
		srv, err := r.svc.CreateServer(r.a.Context(), echoLines, "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		benchClients(b, srv.Addrs()[0].Address)
	})
	b.Run("bare", func(b *testing.B) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
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
				go func() { defer wg.Done(); defer c.Close(); echoLines(context.Background(), c) }()
			}
		}()
		benchClients(b, l.Addr().String())
		l.Close()
		wg.Wait()
	})
}

func benchClients(b *testing.B, addr string) {
	msg := []byte("the quick brown fox jumps over the lazy dog\n")
	b.SetParallelism(64 / max(1, testingProcs()))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Error(err)
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		for pb.Next() {
			if _, err := c.Write(msg); err != nil {
				b.Error(err)
				return
			}
			if _, err := r.ReadSlice('\n'); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func testingProcs() int { return runtime.GOMAXPROCS(0) }
