package sock

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// staleSocket leaves a socket file at path that nobody listens on, as a
// process that died would.
func staleSocket(t *testing.T, path string) {
	t.Helper()
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	if fi, err := os.Lstat(path); err != nil || fi.Mode().Type() != os.ModeSocket {
		t.Fatalf("no stale socket file: %v", err)
	}
}

func TestStaleUnixSocketIsReused(t *testing.T) {
	r := startApp(t, "")
	path := filepath.Join(t.TempDir(), "stale.sock")
	staleSocket(t, path)
	srv, err := r.svc.CreateServer(r.a.Context(), echoLines, path)
	if err != nil {
		t.Fatalf("a stale socket file blocked the server: %v", err)
	}
	c := dial(t, srv.Addrs()[0])
	defer c.Close()
	if got := roundTrip(t, c, bufio.NewReader(c), "reused"); got != "reused" {
		t.Fatalf("echoed %q", got)
	}
}

func TestUnixSocketInTheWay(t *testing.T) {
	r := startApp(t, "")
	dir := t.TempDir()
	live := filepath.Join(dir, "live.sock")
	l, err := net.Listen("unix", live)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	regular := filepath.Join(dir, "data.txt")
	if err := os.WriteFile(regular, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		live:    "another process is listening",
		regular: "regular file is in the way",
	} {
		_, err := r.svc.CreateServer(r.a.Context(), echoLines, path)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want one naming the path and %q", path, err, want)
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%s was removed: %v", path, err)
		}
	}
	// The live listener still works.
	c, err := net.Dial("unix", live)
	if err != nil {
		t.Fatalf("the live socket was disturbed: %v", err)
	}
	c.Close()
}

func TestUnixModeFromConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mode.sock")
	r := startApp(t, "[echo]\nlisten="+path+"\nunix_mode=0600\n")
	if _, err := r.svc.CreateServerFromConfig(r.a.Context(), echoLines, "echo"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode %v, want 0600", fi.Mode().Perm())
	}
}
