package logging

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRealRsyslog sends an RFC 5424 line over TCP (octet counting) and an
// RFC 3164 line over UDP to a real rsyslogd, started here with its own
// configuration on 127.0.0.1, and checks what rsyslog parsed: host, app,
// severity, message and, for 5424, the structured data.
// Install with: apt-get install -y rsyslog
func TestRealRsyslog(t *testing.T) {
	bin, err := exec.LookPath("rsyslogd")
	if err != nil {
		t.Skip("rsyslogd not installed (apt-get install -y rsyslog): real-syslog test skipped")
	}
	dir := t.TempDir()
	port := freePort(t)
	out := filepath.Join(dir, "out.log")
	conf := fmt.Sprintf(`global(workDirectory=%q)
module(load="imtcp")
module(load="imudp")
input(type="imtcp" address="127.0.0.1" port="%d")
input(type="imudp" address="127.0.0.1" port="%d")
template(name="t" type="string" string="%%hostname%%|%%app-name%%|%%syslogseverity-text%%|%%msgid%%|%%structured-data%%|%%msg%%\n")
action(type="omfile" file=%q template="t")
`, dir, port, port, out)
	cf := filepath.Join(dir, "rsyslog.conf")
	if err := os.WriteFile(cf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-n", "-f", cf, "-i", filepath.Join(dir, "rsyslogd.pid"))
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("rsyslogd did not listen on %s: %s", addr, stderr.String())
		}
	}
	time.Sleep(100 * time.Millisecond) // the UDP input starts with the TCP one

	p5 := setupSyslog(t, "format=5\naddress=tcp://"+addr+"\n")
	Get("rs.five").Warning().Str("key", `q"uo]te`).Int("n", 5).Msg("hello rsyslog 5424")
	if err := closeSoon(p5); err != nil {
		t.Fatal(err)
	}
	p3 := setupSyslog(t, "format=3\naddress=udp://"+addr+"\n")
	Get("rs.three").Error().Msg("hello rsyslog 3164")
	if err := closeSoon(p3); err != nil {
		t.Fatal(err)
	}

	want := []string{
		`testhost|tapp|warning|rs.five|[log l="WARNING"][sd key="q\"uo\]te" n="5"]|hello rsyslog 5424`,
		`testhost|tapp|err|-|-| ERROR rs.three hello rsyslog 3164`,
	}
	var got string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		b, _ := os.ReadFile(out)
		if got = string(b); strings.Count(got, "\n") >= 2 {
			break
		}
	}
	for _, w := range want {
		if !strings.Contains(got, w+"\n") {
			t.Errorf("rsyslog output lacks\n  %s\ngot:\n%s", w, got)
		}
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestRealRsyslogLocalSocket sends an RFC 3164 line to a real rsyslogd's
// imuxsock input, with imuxsock's stock settings (those of Debian's
// rsyslog.conf, module(load="imuxsock"): the host name is not parsed from
// local messages) on a private socket instead of /dev/log. Without the
// HOSTNAME, as glibc's syslog(3) writes, rsyslog finds the application
// name as the program, and its own host name.
func TestRealRsyslogLocalSocket(t *testing.T) {
	bin, err := exec.LookPath("rsyslogd")
	if err != nil {
		t.Skip("rsyslogd not installed (apt-get install -y rsyslog): real-syslog test skipped")
	}
	dir := t.TempDir()
	sock, out := filepath.Join(dir, "log.sock"), filepath.Join(dir, "out.log")
	conf := fmt.Sprintf(`global(workDirectory=%q)
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket=%q)
template(name="t" type="string" string="%%hostname%%|%%programname%%|%%syslogtag%%|%%syslogseverity-text%%|%%msg%%\n")
action(type="omfile" file=%q template="t")
`, dir, sock, out)
	cf := filepath.Join(dir, "rsyslog.conf")
	if err := os.WriteFile(cf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-n", "-f", cf, "-i", filepath.Join(dir, "rsyslogd.pid"))
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("rsyslogd made no socket %s: %s", sock, stderr.String())
		}
	}
	p := setupSyslog(t, "format=3\naddress="+sock+"\n")
	Get("rs.local").Warning().Str("k", "v").Msg("hello local rsyslog")
	if err := closeSoon(p); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	want := host + "|tapp|tapp[" + pid + `]:|warning| WARNING rs.local [sd k="v"] hello local rsyslog` + "\n"
	var got string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		b, _ := os.ReadFile(out)
		if got = string(b); strings.Contains(got, "\n") {
			break
		}
	}
	if got != want {
		t.Errorf("rsyslog recorded\n  %q\nwant\n  %q", got, want)
	}
}
