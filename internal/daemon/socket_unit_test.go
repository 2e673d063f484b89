package daemon

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSystemdSocketUnitVerifies checks that the .socket unit passes its
// socket by the name the documented listen line asks for, then runs
// systemd-analyze verify on it beside the service (no output allowed).
func TestSystemdSocketUnitVerifies(t *testing.T) {
	sock, err := os.ReadFile("../../contrib/systemd/asab-app.socket")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := os.ReadFile("../../contrib/systemd/asab-app.service")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\nFileDescriptorName=web\n", "\nAccept=no\n", "\nListenStream=", `"systemd:web"`} {
		if !strings.Contains(string(sock), want) {
			t.Errorf("socket unit lacks %q", strings.TrimSpace(want))
		}
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed (Debian package: systemd)")
	}
	dir := t.TempDir()
	svcText := strings.ReplaceAll(string(svc), "/usr/local/bin/asab-app", "/bin/true")
	if err := os.WriteFile(filepath.Join(dir, "asab-app.service"), []byte(svcText), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "asab-app.socket")
	if err := os.WriteFile(path, sock, 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(analyze, "verify", path)
	cmd.Stderr = &stderr
	err = cmd.Run()
	if _, ok := err.(*exec.ExitError); !ok && err != nil {
		t.Skipf("systemd-analyze verify cannot run here: %v", err)
	}
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, stderr.String())
	}
}
