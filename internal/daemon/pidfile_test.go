package daemon

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// lockedBy starts a sleep process that inherits the pidfile's lock (as a
// go-daemon daemon inherits it), writes its pid and returns it. The test's
// own descriptor is closed, so only the child holds the lock.
func lockedBy(t *testing.T, path string) *exec.Cmd {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sleep", "60")
	cmd.ExtraFiles = []*os.File{f}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(strconv.Itoa(cmd.Process.Pid)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-done })
	return cmd
}

func TestProbe(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.pid")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	check := func(want Status) {
		t.Helper()
		got, err := Probe(path)
		if err != nil || got != want {
			t.Fatalf("Probe = %+v, %v; want %+v", got, err, want)
		}
	}
	check(Status{State: Missing})
	write("")
	check(Status{State: Empty})
	write(" 4242\n")
	check(Status{State: Stale, Pid: 4242})
	write("4x")
	if _, err := Probe(path); err == nil || err.Error() != `pidfile `+path+`: content "4x" is not a pid` {
		t.Fatalf("garbage: %v", err)
	}
	os.Remove(path)
	cmd := lockedBy(t, path)
	check(Status{State: Running, Pid: cmd.Process.Pid})
	// A stale check must not take the lock away from its holder.
	if err := RemoveStale(path); err == nil {
		t.Fatal("RemoveStale removed a locked pidfile")
	}
	check(Status{State: Running, Pid: cmd.Process.Pid})
}

func TestProbeUnreadable(t *testing.T) {
	if os.Getuid() == 0 {
		t.Skip("root reads any file")
	}
	path := filepath.Join(t.TempDir(), "app.pid")
	if err := os.WriteFile(path, []byte("1"), 0o000); err != nil {
		t.Fatal(err)
	}
	if _, err := Probe(path); err == nil {
		t.Fatal("no error for an unreadable pidfile")
	}
}

func TestRemove(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.pid")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if emptied, err := Remove(f); err != nil || emptied {
		t.Fatalf("Remove = %v, %v", emptied, err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("still there: %v", err)
	}
}

func TestRemoveEmptiesWhenDirIsReadOnly(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to act as another user")
	}
	// As nobody, in a directory nobody may not write, holding a file that
	// belongs to nobody: the daemon after dropping privileges.
	dir, err := os.MkdirTemp("", "asab-rm-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	path := filepath.Join(dir, "app.pid")
	if err := os.WriteFile(path, []byte("123"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chown(path, 65534, 65534)
	if WritableBy(dir, 65534) || !WritableBy(dir, 0) {
		t.Fatal("WritableBy is wrong for a 0755 root directory")
	}
	// Remove is exercised as nobody in a child: a Go test cannot change its
	// own uid without affecting every other test. Use the shell for the
	// same two steps Remove takes (unlink, then truncate).
	out, err := exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
		"sh", "-c", `rm -f "$1" 2>/dev/null || : > "$1"`, "sh", path).CombinedOutput()
	if err != nil {
		t.Skipf("setpriv not usable: %v %s", err, out)
	}
	st, err := Probe(path)
	if err != nil || st.State != Empty {
		t.Fatalf("Probe after emptying = %+v, %v; want Empty", st, err)
	}
}

func TestParsePid(t *testing.T) {
	for in, want := range map[string]int{"": 0, "  \n": 0, "1": 1, "123\n": 123, " 77 ": 77} {
		if got, err := ParsePid([]byte(in)); err != nil || got != want {
			t.Errorf("ParsePid(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"0", "-5", "12 13", "abc", "1e3", "99999999999999999999"} {
		if _, err := ParsePid([]byte(in)); err == nil {
			t.Errorf("ParsePid(%q): no error", in)
		}
	}
}

func FuzzParsePid(f *testing.F) {
	for _, s := range []string{"", "1", " 42\n", "x", "-1", "123456789012345678901234567890"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		pid, err := ParsePid(b)
		if err != nil {
			return
		}
		if pid < 0 {
			t.Fatalf("negative pid %d from %q", pid, b)
		}
		if pid > 0 {
			again, err := ParsePid([]byte(strconv.Itoa(pid)))
			if err != nil || again != pid {
				t.Fatalf("round trip of %d: %d, %v", pid, again, err)
			}
		}
	})
}
