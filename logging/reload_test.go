package logging_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/logging"
)

// A reload changes the thresholds of every logger at once; a bad level
// refuses the reload and changes nothing; -v keeps DEBUG.
func TestReloadChangesLevels(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.conf")
	write := func(text string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	logPath := filepath.Join(t.TempDir(), "log.json")
	base := asabtest.JSONLogConfig(logPath)
	write(base + "[logging]\nlevel = NOTICE\n")
	ta := asabtest.New(t, "", app.WithArgs("-c", path)).Start()
	lg := logging.Get("reload.test.worker")
	if lg.Enabled(logging.LevelInfo) {
		t.Fatal("INFO passes before the reload")
	}

	write(base + "[logging]\nlevel = NOTICE\nlevels = reload.test INFO\n")
	changed, err := ta.Application.Reload(context.Background())
	if err != nil || !strings.Contains(strings.Join(changed, " "), "logging") {
		t.Fatalf("reload: %v, changed %v", err, changed)
	}
	if !lg.Enabled(logging.LevelInfo) || lg.Enabled(logging.LevelDebug) {
		t.Fatal("after the reload reload.test.worker does not log at INFO (or logs DEBUG)")
	}
	if logging.Get("other").Enabled(logging.LevelInfo) {
		t.Fatal("the rule for reload.test reached another logger")
	}

	write(base + "[logging]\nlevel = LOUD\n")
	if _, err := ta.Application.Reload(context.Background()); err == nil || !strings.Contains(err.Error(), "LOUD") {
		t.Fatalf("a bad level was not refused: %v", err)
	}
	if !lg.Enabled(logging.LevelInfo) {
		t.Fatal("a refused reload changed the thresholds")
	}
	if code := ta.Stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

func TestReloadKeepsVerbose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.conf")
	if err := os.WriteFile(path, []byte("[logging]\nlevel = NOTICE\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ta := asabtest.New(t, "", app.WithArgs("-v", "-c", path)).Start()
	if err := os.WriteFile(path, []byte("[logging]\nlevel = WARNING\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.Application.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !logging.Get("any").Enabled(logging.LevelDebug) {
		t.Fatal("a reload took DEBUG away from -v")
	}
	ta.Stop()
}

// A reload that changes the file output's path and format swaps the
// output while four goroutines log: every line is found exactly once, in
// the old file as text or in the new one as JSON, the lines logged before
// the reload in the old file and those after it in the new one.
func TestReloadSwapsFileOutput(t *testing.T) {
	dir := t.TempDir()
	path, oldLog, newLog := filepath.Join(dir, "app.conf"), filepath.Join(dir, "old.log"), filepath.Join(dir, "new", "new.log")
	write := func(text string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("[logging:console]\nenabled=false\n[logging:file]\nformat=text\nflush_interval=0\npath=" + oldLog + "\n")
	ta := asabtest.New(t, "", app.WithArgs("-c", path)).Start()
	lg := logging.Get("swap.test")
	lg.Notice().Msg("before")

	const writers, lines = 4, 1000
	var wg sync.WaitGroup
	half := make(chan struct{}, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range lines {
				lg.Notice().Int("w", w).Int("i", i).Msg("line")
				if i == lines/2 {
					half <- struct{}{}
				}
				if i%20 == 0 {
					time.Sleep(100 * time.Microsecond)
				}
			}
		}()
	}
	for range writers {
		<-half
	}
	write("[logging:console]\nenabled=false\n[logging:file]\nformat=json\nflush_interval=0\npath=" + newLog + "\n")
	changed, err := ta.Application.Reload(context.Background())
	if err != nil || !slices.Contains(changed, "logging:file") {
		t.Fatalf("reload: %v, changed %v", err, changed)
	}
	lg.Notice().Msg("after")
	wg.Wait()
	if code := ta.Stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}

	seen := map[string]int{}
	text, err := os.ReadFile(oldLog)
	if err != nil {
		t.Fatal(err)
	}
	var inOld int
	for _, l := range strings.Split(strings.TrimSpace(string(text)), "\n") {
		if strings.HasPrefix(l, "{") {
			t.Fatalf("a JSON line in the old (text) file: %q", l)
		}
		if strings.Contains(l, "swap.test") && strings.Contains(l, "[sd w=") {
			i := strings.Index(l, "[sd ")
			seen[l[i:strings.IndexByte(l[i:], ']')+i]]++
			inOld++
		}
		if strings.Contains(l, "dropped") {
			t.Fatalf("lines were dropped: %q", l)
		}
	}
	if !strings.Contains(string(text), "swap.test before") || strings.Contains(string(text), "swap.test after") {
		t.Errorf("the old file should hold the line before the reload and not the one after:\n%s", text)
	}
	var inNew int
	for _, l := range asabtest.ReadLog(t, newLog, "swap.test") {
		if l.Message == "before" {
			t.Error("the line before the reload is in the new file")
		}
		if l.Message != "line" {
			continue
		}
		seen[fmt.Sprintf(`[sd w="%v" i="%v"`, l.Fields["w"], l.Fields["i"])]++
		inNew++
	}
	if !slices.ContainsFunc(asabtest.ReadLog(t, newLog, "swap.test"), func(l asabtest.LogLine) bool { return l.Message == "after" }) {
		t.Error("the line after the reload is not in the new file")
	}
	if len(seen) != writers*lines || inOld+inNew != writers*lines {
		t.Fatalf("%d distinct lines, %d in the old file and %d in the new one, want %d once each", len(seen), inOld, inNew, writers*lines)
	}
	for k, n := range seen {
		if n != 1 {
			t.Fatalf("%s found %d times", k, n)
		}
	}
	if inOld == 0 || inNew == 0 {
		t.Fatalf("%d lines in the old file, %d in the new one: the swap was not in the middle", inOld, inNew)
	}
	t.Logf("%d lines in the old file, %d in the new one", inOld, inNew)
}

// A reload whose new log file cannot be opened is refused with an error
// naming the section and key; the old file keeps receiving lines.
func TestReloadRefusesUnopenableFile(t *testing.T) {
	dir := t.TempDir()
	path, logPath, blocker := filepath.Join(dir, "app.conf"), filepath.Join(dir, "app.log"), filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(asabtest.JSONLogConfig(logPath)), 0o600); err != nil {
		t.Fatal(err)
	}
	ta := asabtest.New(t, "", app.WithArgs("-c", path)).Start()
	if err := os.WriteFile(path, []byte(asabtest.JSONLogConfig(filepath.Join(blocker, "x.log"))), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ta.Application.Reload(context.Background())
	if !errors.Is(err, app.ErrReloadRefused) || !strings.Contains(err.Error(), "[logging:file] path") {
		t.Fatalf("reload: %v, want a refusal naming [logging:file] path", err)
	}
	logging.Get("refuse.test").Notice().Msg("still here")
	if code := ta.Stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if got := asabtest.ReadLog(t, logPath, "refuse.test"); len(got) != 1 || got[0].Message != "still here" {
		t.Fatalf("old file: %+v", got)
	}
}

// A reload enables a syslog output (a real unix datagram socket), moves
// it to another socket, then disables it.
func TestReloadSyslogOutput(t *testing.T) {
	dir := t.TempDir()
	path, logPath := filepath.Join(dir, "app.conf"), filepath.Join(dir, "app.log")
	listen := func(name string) *net.UnixConn {
		t.Helper()
		c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: filepath.Join(dir, name), Net: "unixgram"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	a, b := listen("a.sock"), listen("b.sock")
	conf := func(syslog string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(asabtest.JSONLogConfig(logPath)+syslog), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// read returns the next line of the logger syslog.reload on c (the
	// application's own lines, such as "Configuration reloaded", are
	// skipped), or "" when none comes within wait.
	read := func(c *net.UnixConn, wait time.Duration) string {
		t.Helper()
		buf := make([]byte, 4096)
		_ = c.SetReadDeadline(time.Now().Add(wait))
		for {
			n, err := c.Read(buf)
			if err != nil {
				return ""
			}
			if line := string(buf[:n]); strings.Contains(line, " syslog.reload ") {
				return line
			}
		}
	}
	reload := func(ta *asabtest.App) {
		t.Helper()
		if _, err := ta.Application.Reload(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	conf("")
	ta := asabtest.New(t, "", app.WithArgs("-c", path)).Start()
	lg := logging.Get("syslog.reload")

	conf("[logging:syslog]\nenabled=true\nformat=5\naddress=" + filepath.Join(dir, "a.sock") + "\n")
	reload(ta)
	lg.Notice().Msg("one")
	if got := read(a, 5*time.Second); !strings.Contains(got, "syslog.reload") || !strings.HasSuffix(got, " one") {
		t.Fatalf("socket a got %q", got)
	}

	conf("[logging:syslog]\nenabled=true\nformat=5\naddress=unix-sendto://" + filepath.Join(dir, "b.sock") + "\n")
	reload(ta)
	lg.Notice().Msg("two")
	if got := read(b, 5*time.Second); !strings.HasSuffix(got, " two") {
		t.Fatalf("socket b got %q", got)
	}

	conf("")
	reload(ta)
	lg.Notice().Msg("three")
	if code := ta.Stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	for _, c := range []*net.UnixConn{a, b} {
		if got := read(c, 50*time.Millisecond); got != "" {
			t.Errorf("a line after syslog was disabled: %q", got)
		}
	}
	if got := asabtest.ReadLog(t, logPath, "syslog.reload"); len(got) != 3 {
		t.Errorf("the file output, kept through the reloads, holds %d lines, want 3: %+v", len(got), got)
	}
}

// TestReopenDuringReloadLeaksNothing: SIGHUP reopens the log files while a
// reload started by the SIGHUP before may be retiring the file output it
// replaced. A reopen that lost that race reopened the retired output's file
// after it was closed: a descriptor left open for good and an error about
// a file already closed. Here Reopen runs in a loop while Reload replaces
// the file output; afterwards no descriptor of the replaced file is open
// and no Reopen failed.
func TestReopenDuringReloadLeaksNothing(t *testing.T) {
	dir := t.TempDir()
	openOf := func(prefix string) []string {
		var out []string
		ents, _ := os.ReadDir("/proc/self/fd")
		for _, e := range ents {
			if l, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name())); err == nil && strings.HasPrefix(l, prefix) {
				out = append(out, l)
			}
		}
		return out
	}
	for i := range 500 {
		old := filepath.Join(dir, fmt.Sprintf("old%d.log", i))
		cfgOf := func(path string) *config.Config {
			c := config.New()
			if err := c.LoadString("t.conf", "[logging:console]\nenabled = false\n[logging:file]\nbackup_count = 0\npath = "+path+"\n"); err != nil {
				t.Fatal(err)
			}
			return c
		}
		p, err := logging.Setup(cfgOf(old), logging.Options{})
		if err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		errc := make(chan error, 1)
		go func() {
			var errs []error
			for {
				select {
				case <-stop:
					errc <- errors.Join(errs...)
					return
				default:
				}
				if err := p.Reopen(); err != nil {
					errs = append(errs, err)
				}
			}
		}()
		time.Sleep(time.Duration(i%7) * 100 * time.Microsecond)
		if err := p.Reload(context.Background(), cfgOf(filepath.Join(dir, fmt.Sprintf("new%d.log", i))), []string{"logging:file"}); err != nil {
			t.Fatal(err)
		}
		close(stop)
		reopenErr := <-errc
		leaked := openOf(old)
		_ = p.Close(context.Background())
		if reopenErr != nil || len(leaked) > 0 {
			t.Fatalf("run %d: Reopen during the reload: %v; descriptors of the replaced file still open: %q", i, reopenErr, leaked)
		}
	}
}
