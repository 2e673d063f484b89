package logging

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asabgo/asab/config"
)

// setupSyslog sets up a pipeline with only a syslog output.
func setupSyslog(t *testing.T, conf string) *Pipeline {
	t.Helper()
	cfg := config.New()
	if err := cfg.LoadString("t.conf", "[logging:console]\nenabled=false\n[logging:syslog]\nenabled=true\n"+conf); err != nil {
		t.Fatal(err)
	}
	p, err := Setup(cfg, Options{Stderr: io.Discard, Clock: fixedClock, Hostname: "testhost", AppName: "tapp"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = closeSoon(p) })
	return p
}

var pid = strconv.Itoa(os.Getpid())

func TestSyslogUDP(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	setupSyslog(t, "format=5\naddress=udp://"+pc.LocalAddr().String()+"/\n")
	Get("net.udp").Notice().Str("k", "v").Msg("over udp")
	want := `<133>1 2026-11-23T00:01:12.593478Z testhost tapp ` + pid + ` net.udp [log l="NOTICE"][sd k="v"] over udp`
	if got := readDatagram(t, pc); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func readDatagram(t *testing.T, pc net.PacketConn) string {
	t.Helper()
	_ = pc.SetReadDeadline(time.Now().Add(10 * time.Second))
	b := make([]byte, 65536)
	n, _, err := pc.ReadFrom(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(b[:n])
}

func TestSyslogUnixSendto(t *testing.T) {
	for _, form := range []string{"unix-sendto://%s", "%s"} {
		path := filepath.Join(t.TempDir(), "log.sock")
		pc, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
		if err != nil {
			t.Fatal(err)
		}
		p := setupSyslog(t, "format=3\nfacility=user\naddress="+fmt.Sprintf(form, path)+"\n")
		Get("net.dgram").Warning().Msg("over a unix datagram socket")
		// RFC 3164 over a local socket: no HOSTNAME, as glibc's syslog(3).
		want := `<12>Nov 23 00:01:12 tapp[` + pid + `]: WARNING net.dgram over a unix datagram socket`
		if got := readDatagram(t, pc); got != want {
			t.Errorf("%s: got  %q\nwant %q", form, got, want)
		}
		_ = closeSoon(p)
		pc.Close()
	}
}

// streamServer accepts syslog stream connections and parses frames, octet
// counted or newline terminated.
type streamServer struct {
	ln      net.Listener
	lines   chan string
	wg      sync.WaitGroup
	mu      sync.Mutex
	conns   []net.Conn
	newline bool
}

func newStreamServer(t *testing.T, network, addr string, newline bool, lines chan string) *streamServer {
	t.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	s := &streamServer{ln: ln, lines: lines, newline: newline}
	s.wg.Add(1)
	go s.accept()
	return s
}

func (s *streamServer) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns = append(s.conns, c)
		s.mu.Unlock()
		s.wg.Add(1)
		go s.read(c)
	}
}

func (s *streamServer) read(c net.Conn) {
	defer s.wg.Done()
	r := bufio.NewReader(c)
	for {
		if s.newline {
			l, err := r.ReadString('\n')
			if err != nil {
				return
			}
			s.lines <- strings.TrimSuffix(l, "\n")
			continue
		}
		ls, err := r.ReadString(' ')
		if err != nil {
			return
		}
		n, err := strconv.Atoi(strings.TrimSuffix(ls, " "))
		if err != nil {
			s.lines <- "BAD FRAME " + ls
			return
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(r, b); err != nil {
			return
		}
		s.lines <- string(b)
	}
}

// kill closes the listener and every connection, as a dying server would.
func (s *streamServer) kill() {
	s.ln.Close()
	s.mu.Lock()
	for _, c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func next(t *testing.T, lines chan string) string {
	t.Helper()
	select {
	case l := <-lines:
		return l
	case <-time.After(10 * time.Second):
		t.Fatal("no line arrived within 10 s")
		return ""
	}
}

func TestSyslogUnixConnect(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stream.sock")
	lines := make(chan string, 10)
	srv := newStreamServer(t, "unix", path, true, lines)
	defer srv.kill()
	p := setupSyslog(t, "format=5\naddress=unix-connect://"+path+"\n")
	Get("net.stream").Error().Msg("two\nlines become one")
	want := `<131>1 2026-11-23T00:01:12.593478Z testhost tapp ` + pid + ` net.stream [log l="ERROR"] two lines become one`
	if got := next(t, lines); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if err := closeSoon(p); err != nil {
		t.Fatal(err)
	}
}

func TestSyslogTCPOctetCountingAndFlushAtClose(t *testing.T) {
	lines := make(chan string, 1000)
	srv := newStreamServer(t, "tcp", "127.0.0.1:0", false, lines)
	defer srv.kill()
	p := setupSyslog(t, "format=5\naddress=tcp://"+srv.ln.Addr().String()+"\n")
	L := Get("net.tcp")
	for i := 0; i < 500; i++ {
		L.Notice().Int("i", i).Msg("multi\nline kept whole by octet counting")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Close(ctx); err != nil { // returns once the queue is flushed
		t.Fatal(err)
	}
	for i := 0; i < 500; i++ {
		got := next(t, lines)
		if want := fmt.Sprintf(`[sd i="%d"] multi`+"\n"+`line kept whole by octet counting`, i); !strings.HasSuffix(got, want) {
			t.Fatalf("line %d: %q", i, got)
		}
	}
	if p.Dropped() != 0 {
		t.Errorf("dropped %d", p.Dropped())
	}
}

// TestSyslogCloseBoundedByContext: with the server gone, Close gives up at
// the context's deadline, says so, and leaves no goroutine behind.
func TestSyslogCloseBoundedByContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	p := setupSyslog(t, "format=3\naddress=tcp://"+addr+"\n")
	for i := 0; i < 10; i++ {
		Get("gone").Error().Msg("never arrives")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err = p.Close(ctx)
	if err == nil || !strings.Contains(err.Error(), "flushing cut short") {
		t.Fatalf("Close: %v", err)
	}
	if p.Dropped() != 10 {
		t.Errorf("dropped %d, want 10", p.Dropped())
	}
}

// TestSyslogTCPServerRestart kills the server, logs while it is gone (the
// queue of 4 fills, the rest is dropped), restarts it on the same port and
// checks that the lines after the restart arrive, preceded by a line
// reporting exactly the number of dropped lines.
func TestSyslogTCPServerRestart(t *testing.T) {
	lines := make(chan string, 100)
	srv := newStreamServer(t, "tcp", "127.0.0.1:0", false, lines)
	addr := srv.ln.Addr().String()
	hdr, _ := newSyslogHeader("5", 16, "h", "app", 1, "sd")
	sk := newSyslogSink(&syslogSink{addr: syslogAddr{"tcp", addr}, minBackoff: 5 * time.Millisecond, maxBackoff: 20 * time.Millisecond})
	out := newOutput("syslog:tcp://"+addr, renderer{format: formatSyslog, hdr: hdr}, sk, 4)
	p := newPipeline(LevelDebug, nil, fixedClock)
	p.setOutputs([]*output{out})
	use(t, p)
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = p.Close(ctx)
	}()
	L := Get("restart")

	L.Notice().Msg("before")
	if got := next(t, lines); !strings.HasSuffix(got, " before") {
		t.Fatalf("got %q", got)
	}
	srv.kill()
	for deadline := time.Now().Add(10 * time.Second); sk.connected(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("output did not notice the server going away")
		}
	}
	for i := 0; i < 20; i++ {
		L.Notice().Int("i", i).Msg("during")
	}
	dropped := out.dropped.Load()
	if dropped < 15 {
		t.Fatalf("dropped %d while the server was gone, want at least 15 (queue 4 + 1 in hand)", dropped)
	}
	srv = newStreamServer(t, "tcp", addr, false, lines)
	defer srv.kill()
	// Once the output reconnects: what the queue held, and the report
	// once those went out.
	var report string
	during := 0
	for i := 0; i < 20-int(dropped)+1; i++ {
		switch got := next(t, lines); {
		case strings.HasSuffix(got, " during"):
			during++
		case report == "" && strings.Contains(got, "asab.logging"):
			report = got
		default:
			t.Fatalf("got %q, want a during line or the report", got)
		}
	}
	for i := 0; i < 3; i++ { // fewer than the queue holds, however late the sender runs
		L.Notice().Int("i", i).Msg("after")
	}
	for i := 0; i < 3; i++ {
		if got := next(t, lines); !strings.HasSuffix(got, fmt.Sprintf(`[sd i="%d"] after`, i)) {
			t.Fatalf("got %q, want after line %d", got, i)
		}
	}
	want := fmt.Sprintf(`asab.logging [log l="WARNING"][sd dropped="%d"] syslog lines dropped`, dropped)
	if !strings.Contains(report, want) {
		t.Errorf("report %q, want it to contain %q", report, want)
	}
	if during+int(dropped) != 20 {
		t.Errorf("%d during-lines arrived and %d were counted as dropped; want 20 in all", during, dropped)
	}
	if out.dropped.Load() != dropped {
		t.Errorf("drop counter moved to %d after the server came back", out.dropped.Load())
	}
	st := p.Stats()
	if len(st.Outputs) != 1 || st.Outputs[0].Name != "syslog:tcp://"+addr || st.Outputs[0].Dropped != dropped {
		t.Errorf("Stats().Outputs = %+v, want syslog:tcp://%s with %d dropped", st.Outputs, addr, dropped)
	}
	if st.Lines[LevelNotice] != 1+20+3 {
		t.Errorf("Stats().Lines[NOTICE] = %d, want 24 (the report line is the output's own)", st.Lines[LevelNotice])
	}
}
