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

// syslogSink sends messages to a syslog server: it connects, reconnects
// with exponential backoff (retrying the message that failed) and reports
// a connection problem on errw once per outage.
type syslogSink struct {
	addr         syslogAddr
	newline      bool      // newline framing on a stream instead of octet counting
	errw         io.Writer // connection problems are reported here, once per outage
	minBackoff   time.Duration
	maxBackoff   time.Duration
	writeTimeout time.Duration

	connMu sync.Mutex
	conn   *syslogConn // set and cleared by the delivering goroutine, read by the abort hook

	backoff time.Duration
	failing bool
	good    int // writes in a row that succeeded since the last failure
	frame   []byte
}

// syslogConn is one connection; for streams a reader goroutine watches it
// and marks it dead as soon as the server closes it, so the sink
// reconnects before writing into a socket nobody reads.
type syslogConn struct {
	c          net.Conn
	dead       atomic.Bool
	readerDone chan struct{}
}

func newSyslogSink(s *syslogSink) *syslogSink {
	if s.minBackoff <= 0 {
		s.minBackoff = 50 * time.Millisecond
	}
	if s.maxBackoff < s.minBackoff {
		s.maxBackoff = 5 * time.Second
	}
	if s.writeTimeout <= 0 {
		s.writeTimeout = 10 * time.Second
	}
	return s
}

// deliver sends the messages one by one, each until it is sent or ctx is
// cancelled; a cancelled ctx also cuts a write in progress short.
func (s *syslogSink) deliver(ctx context.Context, batch []byte, ends []int) int {
	stop := context.AfterFunc(ctx, func() {
		s.connMu.Lock()
		if s.conn != nil {
			_ = s.conn.c.SetDeadline(time.Now())
		}
		s.connMu.Unlock()
	})
	defer stop()
	n, start := 0, 0
	for _, end := range ends {
		switch err := s.send(ctx, batch[start:end]); {
		case err == nil:
			n++
		case ctx.Err() != nil:
			return n
		}
		start = end
	}
	return n
}

// send delivers one message, reconnecting and retrying until it is sent,
// it cannot be (too big for a datagram), or ctx is cancelled.
func (s *syslogSink) send(ctx context.Context, msg []byte) error {
	for {
		if err := s.connect(ctx); err != nil {
			return err
		}
		err := s.writeMessage(msg)
		if err == nil {
			s.backoff = 0
			s.recovered()
			return nil
		}
		s.problem(ctx, err)
		s.disconnect()
		if errors.Is(err, syscall.EMSGSIZE) || ctx.Err() != nil {
			return err
		}
	}
}

// recovered ends an outage after a successful write. Over UDP a write
// succeeds even while nobody listens (the refusal comes back with the
// next one), so there it takes two writes in a row.
func (s *syslogSink) recovered() {
	if !s.failing {
		return
	}
	if s.good++; s.addr.network == "udp" && s.good < 2 {
		return
	}
	s.failing = false
	if s.errw != nil {
		fmt.Fprintf(s.errw, "logging: syslog %s: sending again\n", s.addr)
	}
}

// writeMessage writes one message with the transport's framing.
func (s *syslogSink) writeMessage(b []byte) error {
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
	_ = s.conn.c.SetWriteDeadline(time.Now().Add(s.writeTimeout))
	_, err := s.conn.c.Write(b)
	return err
}

// connect makes sure there is a live connection, waiting out the backoff
// between attempts.
func (s *syslogSink) connect(ctx context.Context) error {
	if s.conn != nil && !s.conn.dead.Load() {
		return nil
	}
	s.disconnect()
	for {
		if s.backoff > 0 {
			t := time.NewTimer(s.backoff)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		s.backoff = min(max(2*s.backoff, s.minBackoff), s.maxBackoff)
		d := net.Dialer{Timeout: 5 * time.Second}
		c, err := d.DialContext(ctx, s.addr.network, s.addr.address)
		if err != nil {
			s.problem(ctx, err)
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
		return nil
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

func (s *syslogSink) disconnect() {
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

// connected reports whether the sink holds a live connection (tests).
func (s *syslogSink) connected() bool {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	return s.conn != nil && !s.conn.dead.Load()
}

// problem reports a connection failure to errw once per outage.
func (s *syslogSink) problem(ctx context.Context, err error) {
	s.good = 0
	if s.failing || s.errw == nil || ctx.Err() != nil {
		return
	}
	s.failing = true
	fmt.Fprintf(s.errw, "logging: syslog %s: %v (lines are queued, then dropped and counted, until it is back)\n", s.addr, err)
}

func (s *syslogSink) reopen() error { return nil }

func (s *syslogSink) close() error {
	s.disconnect()
	return nil
}
