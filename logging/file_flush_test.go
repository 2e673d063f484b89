package logging

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fileLines returns the lines of path as they are on disk now.
func fileLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.TrimSuffix(string(b), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// waitLines polls path until it holds n lines or the deadline passes, and
// returns how long that took.
func waitLines(t *testing.T, path string, n int, deadline time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		if got := fileLines(t, path); len(got) >= n {
			return time.Since(start)
		}
		if time.Since(start) > deadline {
			t.Fatalf("%s: %d lines after %v, want %d", path, len(fileLines(t, path)), deadline, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestFileBufferFlushedWithinInterval(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.log")
	setupFile(t, "[logging:file]\nflush_interval=0.2\n[logging:console]\nenabled=false\n", Options{LogFile: path})
	Get("f").Notice().Msg("held back a while")
	if got := fileLines(t, path); len(got) != 0 {
		t.Fatalf("a NOTICE line went to disk before the flush interval: %q", got)
	}
	// On disk within the interval (plus scheduling slack), with no further
	// write to push it out.
	waitLines(t, path, 1, 5*time.Second)
	Get("f").Notice().Msg("second")
	waitLines(t, path, 2, 5*time.Second)
}

func TestFileErrorFlushesAtOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.log")
	setupFile(t, "[logging:file]\nflush_interval=1h\n[logging:console]\nenabled=false\n", Options{LogFile: path})
	L := Get("e")
	L.Notice().Msg("before")
	L.Error().Msg("important")
	// Both lines (the held-back one first) reach the disk at once, not
	// after the hour: the output's goroutine writes them, so the caller
	// does not wait for the disk.
	waitLines(t, path, 2, 5*time.Second)
	got := fileLines(t, path)
	if len(got) != 2 || !strings.HasSuffix(got[0], "NOTICE e before") || !strings.HasSuffix(got[1], "ERROR e important") {
		t.Fatalf("after ERROR: %q", got)
	}
	L.Critical().Msg("worse")
	waitLines(t, path, 3, 5*time.Second)
}

func TestFileFlushIntervalZeroWritesEveryLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "z.log")
	setupFile(t, "[logging:file]\nflush_interval=0\n[logging:console]\nenabled=false\n", Options{LogFile: path})
	for i := 1; i <= 3; i++ {
		Get("z").Info().Msg("x") // filtered: NOTICE threshold
		Get("z").Notice().Int("i", i).Msg("line")
		waitLines(t, path, i, 5*time.Second)
		if got := fileLines(t, path); len(got) != i {
			t.Fatalf("after %d lines the file holds %q", i, got)
		}
	}
}

func TestFileCloseAndReopenFlush(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.log")
	p := setupFile(t, "[logging:file]\nflush_interval=1h\nbackup_count=1\n[logging:console]\nenabled=false\n", Options{LogFile: path})
	Get("c").Notice().Msg("before reopen")
	if err := p.Reopen(); err != nil {
		t.Fatal(err)
	}
	if got := fileLines(t, path+".1"); len(got) != 1 || !strings.HasSuffix(got[0], "before reopen") {
		t.Fatalf("rotated file: %q", got)
	}
	Get("c").Notice().Msg("before close")
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := fileLines(t, path); len(got) != 1 || !strings.HasSuffix(got[0], "before close") {
		t.Fatalf("after Close: %q", got)
	}
	if got := p.Stats(); got.Lines[LevelNotice] != 2 {
		t.Fatalf("stats after Close: %+v", got)
	}
}

func TestFileBufferFullWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "full.log")
	setupFile(t, "[logging:file]\nflush_interval=1h\n[logging:console]\nenabled=false\n", Options{LogFile: path})
	pad := strings.Repeat("b", 1000)
	n := 0
	for ; n < 200 && len(fileLines(t, path)) == 0; n++ {
		Get("full").Notice().Str("pad", pad).Msg("fill")
	}
	// Read the file at rest: a write of the output's goroutine may be under
	// way when the loop sees the first lines.
	for prev, deadline := int64(-1), time.Now().Add(5*time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		fi, err := os.Stat(path)
		if err == nil && fi.Size() == prev {
			break
		}
		if err == nil {
			prev = fi.Size()
		}
	}
	got := fileLines(t, path)
	// The output's goroutine writes once 64 KiB are held; the test logs
	// on meanwhile, so the first write shows up some lines later.
	if len(got) == 0 || n*1050 < fileBufSize || n*1000 > 8*fileBufSize {
		t.Fatalf("after %d lines of ~1 KiB: %d lines on disk (buffer %d bytes)", n, len(got), fileBufSize)
	}
	for _, l := range got {
		if !strings.HasSuffix(l, pad+`"] fill`) {
			t.Fatalf("partial line on disk: %.80q...", l)
		}
	}
}
