package logging

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// fileOutput writes lines to a file and rotates it: on Reopen (SIGHUP), when
// it would grow past maxBytes, and when it is older than every. Rotation
// renames path.N-1 to path.N ... path to path.1 and opens a new path, all
// under the same mutex as writing, so no line is lost or split across files.
type fileOutput struct {
	mu       sync.Mutex
	path     string
	format   lineFormat
	sdID     string
	backups  int
	maxBytes int64
	every    time.Duration
	clock    func() time.Time
	errw     io.Writer // where write/rotation failures are reported

	f       *os.File
	size    int64
	opened  time.Time
	buf     []byte
	tc      timeCache
	failing bool
}

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
	o.f, o.size, o.opened, o.buf = f, size, o.clock(), make([]byte, 0, 512)
	return o, nil
}

func (o *fileOutput) write(r *record) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.f == nil {
		return // closed
	}
	if o.format == formatJSON {
		o.buf = appendJSONLine(o.buf[:0], r, &o.tc)
	} else {
		o.buf = appendText(o.buf[:0], r, o.sdID, false, &o.tc)
	}
	if o.backups > 0 && o.size > 0 &&
		((o.maxBytes > 0 && o.size+int64(len(o.buf)) > o.maxBytes) ||
			(o.every > 0 && !r.t.Before(o.opened.Add(o.every)))) {
		o.report(o.rotateLocked())
	}
	n, err := o.f.Write(o.buf)
	o.size += int64(n)
	o.report(err)
	if cap(o.buf) > 64<<10 {
		o.buf = make([]byte, 0, 512)
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
	err := o.f.Close()
	o.f = nil
	if err != nil {
		return fmt.Errorf("logging: close log file %s: %w", o.path, err)
	}
	return nil
}
