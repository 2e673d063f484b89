package logging

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// syslogOptions configure a syslog output.
type syslogOptions struct {
	hdr          syslogHeader
	addr         syslogAddr
	newline      bool // newline framing on a stream instead of octet counting
	queue        int
	clock        func() time.Time
	errw         io.Writer // connection problems are reported here, once per outage
	minBackoff   time.Duration
	maxBackoff   time.Duration
	writeTimeout time.Duration
}

// syslogOutput sends lines to a syslog server without ever blocking the
// caller: write formats the line into a pooled buffer and puts it on a
// bounded queue, or drops and counts it when the queue is full. One
// goroutine per output connects, sends, reconnects with exponential backoff
// (retrying the line that failed) and, once it can send again, reports how
// many lines were dropped as a WARNING line of the logger "asab.logging".
type syslogOutput struct {
	syslogOptions
	q       chan *[]byte
	pool    sync.Pool
	dropped atomic.Uint64

	stop        chan struct{}
	stopOnce    sync.Once
	done        chan struct{}
	abort       context.Context
	abortCancel context.CancelFunc

	connMu sync.Mutex
	conn   *syslogConn // set and cleared by the sender only, read by close

	// Sender goroutine state.
	reported uint64
	backoff  time.Duration
	failing  bool
	frame    []byte
}

// syslogConn is one connection; for streams a reader goroutine watches it
// and marks it dead as soon as the server closes it, so the sender
// reconnects before writing into a socket nobody reads.
type syslogConn struct {
	c          net.Conn
	dead       atomic.Bool
	readerDone chan struct{}
}

func newSyslogOutput(o syslogOptions) *syslogOutput {
	if o.queue <= 0 {
		o.queue = 1000
	}
	if o.minBackoff <= 0 {
		o.minBackoff = 50 * time.Millisecond
	}
	if o.maxBackoff < o.minBackoff {
		o.maxBackoff = 5 * time.Second
	}
	if o.writeTimeout <= 0 {
		o.writeTimeout = 10 * time.Second
	}
	if o.clock == nil {
		o.clock = time.Now
	}
	s := &syslogOutput{
		syslogOptions: o,
		q:             make(chan *[]byte, o.queue),
		stop:          make(chan struct{}),
		done:          make(chan struct{}),
	}
	s.pool.New = func() any { b := make([]byte, 0, 512); return &b }
	s.abort, s.abortCancel = context.WithCancel(context.Background())
	go s.run()
	return s
}

func (s *syslogOutput) write(r *record) {
	bp := s.pool.Get().(*[]byte)
	*bp = s.hdr.appendLine((*bp)[:0], r)
	select {
	case s.q <- bp:
	default:
		s.dropped.Add(1)
		s.put(bp)
	}
}

func (s *syslogOutput) put(bp *[]byte) {
	if cap(*bp) <= 64<<10 {
		s.pool.Put(bp)
	}
}

func (s *syslogOutput) reopen() error { return nil }

// close lets the sender drain the queue; when ctx ends first, the sender is
// aborted (the lines still queued are dropped and counted) and an error says so.
func (s *syslogOutput) close(ctx context.Context) error {
	s.stopOnce.Do(func() { close(s.stop) })
	select {
	case <-s.done:
		s.abortCancel()
		return nil
	case <-ctx.Done():
	}
	s.abortCancel()
	s.connMu.Lock()
	if s.conn != nil {
		_ = s.conn.c.SetDeadline(time.Now())
	}
	s.connMu.Unlock()
	<-s.done
	return fmt.Errorf("logging: syslog %s: flushing cut short (%w); %d lines dropped in total", s.addr, ctx.Err(), s.dropped.Load())
}

func (s *syslogOutput) run() {
	defer close(s.done)
	defer s.disconnect()
	for {
		select {
		case bp := <-s.q:
			s.send(bp)
		case <-s.stop:
			for {
				select {
				case bp := <-s.q:
					s.send(bp)
				default:
					return
				}
			}
		}
	}
}

// send delivers one line, reconnecting and retrying until it is sent or the
// output is aborted (then the line is counted as dropped).
func (s *syslogOutput) send(bp *[]byte) {
	defer s.put(bp)
	for {
		if !s.connect() {
			s.dropped.Add(1)
			return
		}
		if !s.reportDropped() {
			continue
		}
		err := s.writeLine(*bp)
		if err == nil {
			s.backoff, s.failing = 0, false
			return
		}
		s.problem(err)
		s.disconnect()
		if errors.Is(err, syscall.EMSGSIZE) {
			s.dropped.Add(1) // too big for a datagram: retrying cannot help
			return
		}
	}
}

// reportDropped sends the "lines dropped" line when there is news; false
// means the connection failed meanwhile.
func (s *syslogOutput) reportDropped() bool {
	n := s.dropped.Load()
	if n == s.reported {
		return true
	}
	src := []byte(`{"dropped":` + strconv.FormatUint(n-s.reported, 10) + `,"message":"syslog lines dropped (queue full or server unreachable)"}`)
	r := record{src: src, t: s.clock(), level: LevelWarning, name: "asab.logging"}
	r.msg, r.msgRaw, r.fields = parseEvent(src, nil)
	if err := s.writeLine(s.hdr.appendLine(nil, &r)); err != nil {
		s.problem(err)
		s.disconnect()
		return false
	}
	s.reported = n
	return true
}

// writeLine writes one message with the transport's framing.
func (s *syslogOutput) writeLine(b []byte) error {
	c := s.conn.c
	if s.addr.stream() {
		if s.newline {
			s.frame = append(s.frame[:0], b...)
			for i, ch := range s.frame {
				if ch == '\n' {
					s.frame[i] = ' '
				}
			}
			s.frame = append(s.frame, '\n')
		} else {
			s.frame = strconv.AppendInt(s.frame[:0], int64(len(b)), 10)
			s.frame = append(s.frame, ' ')
			s.frame = append(s.frame, b...)
		}
		b = s.frame
		if cap(s.frame) > 64<<10 {
			defer func() { s.frame = nil }()
		}
	}
	_ = c.SetWriteDeadline(time.Now().Add(s.writeTimeout))
	_, err := c.Write(b)
	return err
}

// connect makes sure there is a live connection, waiting out the backoff
// between attempts; false when aborted.
func (s *syslogOutput) connect() bool {
	if s.conn != nil && !s.conn.dead.Load() {
		return true
	}
	s.disconnect()
	for {
		if s.backoff > 0 {
			t := time.NewTimer(s.backoff)
			select {
			case <-t.C:
			case <-s.abort.Done():
				t.Stop()
				return false
			}
		}
		if s.abort.Err() != nil {
			return false
		}
		s.backoff = min(max(2*s.backoff, s.minBackoff), s.maxBackoff)
		d := net.Dialer{Timeout: 5 * time.Second}
		c, err := d.DialContext(s.abort, s.addr.network, s.addr.address)
		if err != nil {
			s.problem(err)
			continue
		}
		sc := &syslogConn{c: c}
		if s.addr.stream() {
			sc.readerDone = make(chan struct{})
			go watch(sc)
		}
		s.connMu.Lock()
		s.conn = sc
		s.connMu.Unlock()
		return true
	}
}

// watch reads from a stream connection until it fails (syslog servers send
// nothing), then marks it dead.
func watch(sc *syslogConn) {
	defer close(sc.readerDone)
	var b [256]byte
	for {
		if _, err := sc.c.Read(b[:]); err != nil {
			sc.dead.Store(true)
			return
		}
	}
}

func (s *syslogOutput) disconnect() {
	s.connMu.Lock()
	sc := s.conn
	s.conn = nil
	s.connMu.Unlock()
	if sc == nil {
		return
	}
	_ = sc.c.Close()
	if sc.readerDone != nil {
		<-sc.readerDone
	}
}

// connected reports whether the sender holds a live connection (tests).
func (s *syslogOutput) connected() bool {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	return s.conn != nil && !s.conn.dead.Load()
}

// problem reports a connection failure to errw once per outage.
func (s *syslogOutput) problem(err error) {
	if s.failing || s.errw == nil || s.abort.Err() != nil {
		return
	}
	s.failing = true
	fmt.Fprintf(s.errw, "logging: syslog %s: %v (lines are queued, then dropped and counted, until it is back)\n", s.addr, err)
}
