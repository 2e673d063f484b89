package logging

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/internal/syncbuf"
)

// TestSyslogUDPOutageReportedOnce: while nobody listens on the UDP port
// (every other datagram comes back refused), 40 lines report the problem
// once on stderr, not once per line; once a server listens again, lines
// arrive and stderr says so once.
func TestSyslogUDPOutageReportedOnce(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close() // the outage
	cfg := config.New()
	if err := cfg.LoadString("t.conf", "[logging:console]\nenabled=false\n[logging:syslog]\nenabled=true\nformat=5\naddress=udp://"+addr+"\n"); err != nil {
		t.Fatal(err)
	}
	stderr := &syncbuf.Buffer{}
	p, err := Setup(cfg, Options{Stderr: stderr, Clock: fixedClock, Hostname: "h", AppName: "a"})
	if err != nil {
		t.Fatal(err)
	}
	defer closeSoon(p)
	L := Get("outage")
	for i := 0; i < 40; i++ {
		L.Notice().Int("i", i).Msg("during the outage")
		time.Sleep(10 * time.Millisecond)
	}
	problem := "logging: syslog udp://" + addr + ": "
	if n := strings.Count(stderr.String(), problem); n != 1 {
		t.Fatalf("the outage was reported %d times, want once:\n%s", n, stderr.String())
	}

	pc, err = net.ListenPacket("udp", addr)
	if err != nil {
		t.Skipf("port %s taken meanwhile: %v", addr, err)
	}
	defer pc.Close()
	got := make(chan string, 100)
	go func() {
		b := make([]byte, 65536)
		for {
			n, _, err := pc.ReadFrom(b)
			if err != nil {
				close(got)
				return
			}
			got <- string(b[:n])
		}
	}()
	deadline := time.After(10 * time.Second)
	for arrived := false; !arrived; {
		L.Notice().Msg("after the outage")
		select {
		case line := <-got:
			arrived = strings.Contains(line, "after the outage") || strings.Contains(line, "during the outage") || strings.Contains(line, "asab.logging")
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("nothing arrived after the server came back; stderr:\n%s", stderr.String())
		}
	}
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(stderr.String(), "sending again"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no recovery note on stderr:\n%s", stderr.String())
		}
		L.Notice().Msg("after the outage")
	}
	if n := strings.Count(stderr.String(), problem); n != 2 { // the problem, then "sending again"
		t.Errorf("stderr has %d lines about the syslog output, want 2:\n%s", n, stderr.String())
	}
	t.Logf("stderr:\n%s", stderr.String())
}
