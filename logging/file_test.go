package logging

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asabgo/asab/config"
)

func readLines(t *testing.T, path string) []string {
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

func setupFile(t *testing.T, conf string, o Options) *Pipeline {
	t.Helper()
	cfg := config.New()
	if err := cfg.LoadString("t.conf", conf); err != nil {
		t.Fatal(err)
	}
	if o.Stderr == nil {
		o.Stderr = &strings.Builder{}
	}
	p, err := Setup(cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	return p
}

func TestFileReopenRotates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "dir", "app.log") // parents created
	p := setupFile(t, "[logging:file]\nbackup_count=2\n[logging:console]\nenabled=false\n", Options{LogFile: path, Clock: fixedClock})
	L := Get("rot")
	for i, phase := range []string{"a", "b", "c", "d"} {
		L.Notice().Str("phase", phase).Msg("line")
		if i < 3 {
			if err := p.Reopen(); err != nil {
				t.Fatal(err)
			}
		}
	}
	p.Flush()
	want := map[string]string{path: "d", path + ".1": "c", path + ".2": "b"}
	for f, phase := range want {
		lines := readLines(t, f)
		if len(lines) != 1 || !strings.Contains(lines[0], `[sd phase="`+phase+`"] line`) {
			t.Errorf("%s: %q, want the phase %s line", f, lines, phase)
		}
	}
	if _, err := os.Stat(path + ".3"); !os.IsNotExist(err) {
		t.Errorf("backup_count=2 must keep no .3: %v", err)
	}
}

func TestFileReopenWithoutBackupsReopens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	p := setupFile(t, "[logging:file]\nbackup_count=0\n", Options{LogFile: path})
	Get("x").Notice().Msg("one")
	if err := os.Rename(path, path+".moved"); err != nil { // what logrotate does
		t.Fatal(err)
	}
	Get("x").Notice().Msg("two")
	if err := p.Reopen(); err != nil {
		t.Fatal(err)
	}
	Get("x").Notice().Msg("three")
	p.Flush()
	if a, b := readLines(t, path+".moved"), readLines(t, path); len(a) != 2 || len(b) != 1 || !strings.HasSuffix(b[0], "three") {
		t.Errorf("moved: %q, new: %q", a, b)
	}
}

func TestFileSizeAndTimeRotation(t *testing.T) {
	dir := t.TempDir()
	var now atomic.Int64
	now.Store(fixedTime.UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()).UTC() }
	path := filepath.Join(dir, "size.log")
	p := setupFile(t, fmt.Sprintf("[logging:file]\npath=%s\nbackup_count=5\nbackup_max_bytes=250\nrotate_every=1h\n", path), Options{Clock: clock})
	L := Get("size")
	line := strings.Repeat("x", 50) // each line is about 100 bytes: two per file
	for i := 0; i < 5; i++ {
		L.Notice().Int("i", i).Msg(line)
	}
	p.Flush()
	for f, n := range map[string]int{path: 1, path + ".1": 2, path + ".2": 2} {
		if got := readLines(t, f); len(got) != n {
			t.Errorf("%s has %d lines, want %d: %q", f, len(got), n, got)
		}
	}
	now.Add(int64(time.Hour)) // the current file is now an hour old
	L.Notice().Msg("after an hour")
	p.Flush()
	if got := readLines(t, path); len(got) != 1 || !strings.HasSuffix(got[0], "after an hour") {
		t.Errorf("time rotation: %q", got)
	}
	if got := readLines(t, path+".1"); len(got) != 1 || !strings.Contains(got[0], `i="4"`) {
		t.Errorf("time rotation backup: %q", got)
	}
}

// TestFileRotationConcurrent logs from 8 goroutines while another rotates
// 30 times; every line must be found at most once, whole, across the
// files, and the lines found and those counted as dropped (when the
// writers outran the file output's queue) must add up to those written.
func TestFileRotationConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.log")
	p := setupFile(t, "[logging:file]\nbackup_count=100\n[logging:console]\nenabled=false\n", Options{LogFile: path})
	const writers, rotations = 8, 30
	var wg sync.WaitGroup
	var done atomic.Int64 // rotations so far
	go func() {
		for done.Load() < rotations {
			if err := p.Reopen(); err != nil {
				t.Error(err)
				done.Store(rotations)
				return
			}
			done.Add(1)
			time.Sleep(100 * time.Microsecond)
		}
	}()
	var written atomic.Int64
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			L := Get(fmt.Sprintf("w%d", w))
			// Keep logging until every rotation has happened meanwhile.
			for i := 0; i < 200 || done.Load() < rotations; i++ {
				L.Notice().Int("i", i).Str("pad", strings.Repeat("p", 40)).Msg("concurrent")
				written.Add(1)
			}
		}(w)
	}
	wg.Wait()
	p.Flush()
	n := int(done.Load())
	seen := map[string]int{}
	files := 0
	for i := 0; i <= n; i++ {
		f := path
		if i > 0 {
			f = fmt.Sprintf("%s.%d", path, i)
		}
		files++
		for _, l := range readLines(t, f) {
			if strings.Contains(l, " WARNING asab.logging [sd dropped=") {
				continue // the output's own report
			}
			if !strings.HasSuffix(l, `pad="`+strings.Repeat("p", 40)+`"] concurrent`) {
				t.Fatalf("mangled line in %s: %q", f, l)
			}
			seen[l[strings.Index(l, "NOTICE"):]]++
		}
	}
	if dropped := p.Dropped(); len(seen)+int(dropped) != int(written.Load()) {
		t.Fatalf("found %d distinct lines in %d files after %d rotations and %d were dropped, want %d in all", len(seen), files, n, dropped, written.Load())
	}
	for l, c := range seen {
		if c != 1 {
			t.Fatalf("line %q found %d times", l, c)
		}
	}
	t.Logf("%d lines in %d files, %d rotations, %d dropped", len(seen), files, n, p.Dropped())
}

func TestFileParentIsNotADirectory(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := config.New()
	_, err := Setup(cfg, Options{LogFile: filepath.Join(blocker, "app.log"), Stderr: &strings.Builder{}})
	if err == nil || !strings.Contains(err.Error(), "create directory for log file") || !strings.Contains(err.Error(), blocker) {
		t.Fatalf("want a clear error naming the path, got %v", err)
	}
}
