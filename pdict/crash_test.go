package pdict

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// child starts the test binary in a child role on path.
func child(t *testing.T, role, path, tag string, n int) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$", path, tag, strconv.Itoa(n))
	cmd.Env = append(os.Environ(), childEnv+"="+role)
	cmd.Stderr = os.Stderr
	return cmd
}

// TestCrashKill9 SIGKILLs a writing child at random moments, 50 times, and
// checks after each kill that the file opens and holds every write the
// child reported as committed, and none of the keys it reported deleted.
func TestCrashKill9(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crash.pdict")
	want := map[string]int{}
	gone := map[string]bool{}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 5))
	rounds := 50
	if testing.Short() {
		rounds = 10
	}
	total, midCompaction := 0, 0
	for round := range rounds {
		cmd := child(t, "crash", path, fmt.Sprintf("r%d", round), 1_000_000)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1024)
		go func() {
			defer close(lines)
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
		}()
		var got []string
		first, ok := <-lines
		if !ok {
			t.Fatalf("round %d: child wrote nothing: %v", round, cmd.Wait())
		}
		got = append(got, first)
		killAt := time.After(time.Duration(rng.IntN(40_000)) * time.Microsecond)
	wait:
		for {
			select {
			case l := <-lines:
				got = append(got, l)
			case <-killAt:
				break wait
			}
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		for l := range lines {
			got = append(got, l)
		}
		if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
			t.Fatalf("round %d: child did not die by SIGKILL: %v", round, err)
		}
		if stale, _ := filepath.Glob(path + ".tmp-*"); len(stale) > 0 {
			midCompaction++
		}
		total += len(got)
		for _, l := range got {
			applyReport(t, l, want, gone)
		}
		checkCommitted(t, path, want, gone)
	}
	t.Logf("%d rounds (%d killed mid-compaction), %d committed writes checked, %d live keys", rounds, midCompaction, total, len(want))
}

// applyReport folds one child line into the expected state.
func applyReport(t *testing.T, l string, want map[string]int, gone map[string]bool) {
	t.Helper()
	f := strings.Fields(l)
	num := func(s string) int {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("bad child line %q", l)
		}
		return n
	}
	switch {
	case len(f) == 3 && f[0] == "S":
		want[f[1]] = num(f[2])
	case len(f) == 4 && f[0] == "U":
		want[f[1]], want[f[2]] = num(f[3]), num(f[3])
	case len(f) == 2 && f[0] == "T":
	case len(f) == 2 && f[0] == "D":
		delete(want, f[1])
		gone[f[1]] = true
	default:
		t.Fatalf("bad child line %q", l)
	}
}

// checkCommitted reopens path and compares it with the reported writes.
func checkCommitted(t *testing.T, path string, want map[string]int, gone map[string]bool) {
	t.Helper()
	d, err := Open(path)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer d.Close()
	for k, v := range want {
		got, ok, err := GetAs[int](d, k)
		if err != nil || !ok || got != v {
			t.Fatalf("committed %s=%d, after kill got %d (present %v, err %v)", k, v, got, ok, err)
		}
	}
	for k := range gone {
		if ok, err := d.Has(k); err != nil || ok {
			t.Fatalf("deleted key %s came back (err %v)", k, err)
		}
	}
}

// TestTwoProcesses runs two child processes that increment a shared counter
// and their own counter under the file lock; no increment may be lost.
func TestTwoProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.pdict")
	const n = 150
	var cmds []*exec.Cmd
	for _, tag := range []string{"a", "b"} {
		cmd := child(t, "incr", path, tag, n)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("child: %v", err)
		}
	}
	d, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for k, want := range map[string]int{"total": 2 * n, "a": n, "b": n} {
		if got, _, err := GetAs[int](d, k); err != nil || got != want {
			t.Errorf("%s = %d (err %v), want %d", k, got, err, want)
		}
	}
}
