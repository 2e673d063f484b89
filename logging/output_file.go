package logging

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// fileSink writes lines to a file and rotates it: on Reopen (SIGHUP), when
// it would grow past maxBytes, and when it is older than every. Rotation
// renames path.N-1 to path.N ... path to path.1 and opens a new path. It is
// used by its output's goroutine, or under the output's sendMu, only: so no
// line is lost or split across files.
type fileSink struct {
	path     string
	backups  int
	maxBytes int64
	every    time.Duration
	clock    func() time.Time
	errw     io.Writer // where write/rotation failures are reported, once until it works again

	f       *os.File
	size    int64
	opened  time.Time
	failing bool
}

// fileBufSize is how many bytes a file output holds back (see
// [logging:file] flush_interval) before it writes them anyway.
const fileBufSize = 64 << 10

// openFile creates the parent directory if needed and opens path for appending.
func openFile(path string) (*os.File, int64, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, 0, fmt.Errorf("create directory for log file %q: %w", path, err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, 0, fmt.Errorf("open log file: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("stat log file: %w", err)
	}
	return f, st.Size(), nil
}

func newFileSink(s *fileSink) (*fileSink, error) {
	f, size, err := openFile(s.path)
	if err != nil {
		return nil, err
	}
	s.f, s.size, s.opened = f, size, s.clock()
	return s, nil
}

// deliver writes the batch, rotating first when the file is older than
// every and between lines when the next would make it larger than maxBytes.
func (s *fileSink) deliver(_ context.Context, batch []byte, ends []int) int {
	if s.backups > 0 && s.every > 0 && s.size > 0 && !s.clock().Before(s.opened.Add(s.every)) {
		s.report(s.rotate())
	}
	n, start, first, prev := 0, 0, 0, 0 // lines delivered; the chunk batch[start:prev] holds lines first..i-1
	for i, end := range ends {
		if s.backups > 0 && s.maxBytes > 0 && s.size+int64(prev-start) > 0 && s.size+int64(end-start) > s.maxBytes {
			n += s.write(batch[start:prev], i-first)
			start, first = prev, i
			s.report(s.rotate())
		}
		prev = end
	}
	return n + s.write(batch[start:], len(ends)-first)
}

// write writes b, which holds lines lines, and returns lines or, when the
// write failed, 0.
func (s *fileSink) write(b []byte, lines int) int {
	if len(b) == 0 {
		return lines
	}
	_, err := s.f.Write(b)
	s.report(err)
	if err != nil {
		return 0
	}
	s.size += int64(len(b))
	return lines
}

// report writes a failure to errw once, until things work again.
func (s *fileSink) report(err error) {
	if err == nil {
		s.failing = false
		return
	}
	if !s.failing {
		s.failing = true
		fmt.Fprintf(s.errw, "logging: log file %s: %v\n", s.path, err)
	}
}

// rotate shifts the backups and opens a fresh file. The new file is opened
// before the old one is closed, so a failure leaves logging going to the
// old (renamed) file rather than nowhere.
func (s *fileSink) rotate() error {
	if s.backups > 0 {
		for i := s.backups - 1; i >= 1; i-- {
			from := s.path + "." + strconv.Itoa(i)
			if err := os.Rename(from, s.path+"."+strconv.Itoa(i+1)); err != nil && !os.IsNotExist(err) {
				return fmt.Errorf("rotate %s: %w", from, err)
			}
		}
		if err := os.Rename(s.path, s.path+".1"); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("rotate: %w", err)
		}
	}
	f, size, err := openFile(s.path)
	if err != nil {
		return err
	}
	old := s.f
	s.f, s.size, s.opened = f, size, s.clock()
	return old.Close()
}

func (s *fileSink) reopen() error {
	if err := s.rotate(); err != nil {
		return fmt.Errorf("logging: reopen log file %s: %w", s.path, err)
	}
	return nil
}

func (s *fileSink) close() error {
	if err := s.f.Close(); err != nil {
		return fmt.Errorf("logging: close log file %s: %w", s.path, err)
	}
	return nil
}
