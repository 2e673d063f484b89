package logging

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// fileOutput writes lines to a file and rotates it: on Reopen (SIGHUP), when
// it would grow past maxBytes, and when it is older than every. Rotation
// renames path.N-1 to path.N ... path to path.1 and opens a new path, all
// under the same mutex as writing, so no line is lost or split across files.
//
// Lines are rendered straight into an in-memory buffer that is written to
// the file in one write(2) when it reaches fileBufSize, flushInterval after
// the first line that went into an empty buffer, before a rotation, at
// close, and at once for a line at ERROR or above. With flushInterval 0
// every line is written at once. size counts buffered bytes too, so size
// rotation is exact.
type fileOutput struct {
	mu            sync.Mutex
	path          string
	format        lineFormat
	sdID          string
	backups       int
	maxBytes      int64
	every         time.Duration
	flushInterval time.Duration
	clock         func() time.Time
	errw          io.Writer // where write/rotation failures are reported

	f       *os.File
	size    int64
	opened  time.Time
	buf     []byte // lines not yet written to f
	pending int    // how many lines buf holds
	timer   *time.Timer
	armed   bool // timer will flush
	dropped atomic.Uint64
	tc      timeCache
	failing bool
}

// fileBufSize is how much a file output buffers before writing.
const fileBufSize = 64 << 10

// openFile creates the parent directory if needed and opens path for appending.
func openFile(path string) (*os.File, int64, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, 0, fmt.Errorf("logging: create directory for log file %q: %w", path, err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, 0, fmt.Errorf("logging: open log file: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("logging: stat log file: %w", err)
	}
	return f, st.Size(), nil
}

func newFileOutput(o *fileOutput) (*fileOutput, error) {
	f, size, err := openFile(o.path)
	if err != nil {
		return nil, err
	}
	o.f, o.size, o.opened = f, size, o.clock()
	o.buf = make([]byte, 0, fileBufSize+4096)
	if o.flushInterval > 0 {
		o.timer = time.AfterFunc(time.Hour, o.timedFlush)
		o.timer.Stop()
	}
	return o, nil
}

func (o *fileOutput) write(r *record) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.f == nil {
		o.dropped.Add(1) // closed
		return
	}
	mark := len(o.buf)
	if o.format == formatJSON {
		o.buf = appendJSONLine(o.buf, r, &o.tc)
	} else {
		o.buf = appendText(o.buf, r, o.sdID, false, &o.tc)
	}
	n := int64(len(o.buf) - mark)
	if o.backups > 0 && o.size > 0 &&
		((o.maxBytes > 0 && o.size+n > o.maxBytes) ||
			(o.every > 0 && !r.t.Before(o.opened.Add(o.every)))) {
		// The buffered lines belong to the old file, this one to the new.
		line := o.buf[mark:]
		o.buf = o.buf[:mark]
		o.flushLocked()
		o.report(o.rotateLocked())
		o.buf = append(o.buf[:0], line...) // line sits beyond len: copy is safe
	}
	o.size += n
	o.pending++
	switch {
	case o.flushInterval <= 0 || r.level >= LevelError || len(o.buf) >= fileBufSize:
		o.flushLocked()
	case !o.armed:
		o.armed = true
		o.timer.Reset(o.flushInterval)
	}
}

// flushLocked writes the buffered lines to the file in one call. Lines a
// failed write could not store are counted as dropped.
func (o *fileOutput) flushLocked() {
	if len(o.buf) == 0 {
		return
	}
	_, err := o.f.Write(o.buf)
	if err != nil {
		o.dropped.Add(uint64(o.pending))
	}
	o.report(err)
	o.pending = 0
	if cap(o.buf) > 4*fileBufSize {
		o.buf = make([]byte, 0, fileBufSize+4096)
	} else {
		o.buf = o.buf[:0]
	}
}

// flush writes the buffered lines now.
func (o *fileOutput) flush() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.f != nil {
		o.flushLocked()
	}
}

// timedFlush runs on the timer's goroutine flushInterval after a line went
// into an empty buffer.
func (o *fileOutput) timedFlush() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.armed = false
	if o.f != nil {
		o.flushLocked()
	}
}

// report writes a failure to errw once, until things work again.
func (o *fileOutput) report(err error) {
	if err == nil {
		o.failing = false
		return
	}
	if !o.failing {
		o.failing = true
		fmt.Fprintf(o.errw, "logging: log file %s: %v\n", o.path, err)
	}
}

// rotateLocked shifts the backups and opens a fresh file. The new file is
// opened before the old one is closed, so a failure leaves logging going to
// the old (renamed) file rather than nowhere.
func (o *fileOutput) rotateLocked() error {
	if o.backups > 0 {
		for i := o.backups - 1; i >= 1; i-- {
			from := o.path + "." + strconv.Itoa(i)
			if err := os.Rename(from, o.path+"."+strconv.Itoa(i+1)); err != nil && !os.IsNotExist(err) {
				return fmt.Errorf("rotate %s: %w", from, err)
			}
		}
		if err := os.Rename(o.path, o.path+".1"); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("rotate: %w", err)
		}
	}
	f, size, err := openFile(o.path)
	if err != nil {
		return err
	}
	old := o.f
	o.f, o.size, o.opened = f, size, o.clock()
	return old.Close()
}

func (o *fileOutput) reopen() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.f == nil {
		return nil
	}
	o.flushLocked()
	if err := o.rotateLocked(); err != nil {
		return fmt.Errorf("logging: reopen log file %s: %w", o.path, err)
	}
	return nil
}

func (o *fileOutput) close(context.Context) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.f == nil {
		return nil
	}
	if o.timer != nil {
		o.timer.Stop()
		o.armed = false
	}
	o.flushLocked()
	err := o.f.Close()
	o.f = nil
	if err != nil {
		return fmt.Errorf("logging: close log file %s: %w", o.path, err)
	}
	return nil
}
