package logging

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/asabgo/asab/config"
)

// journalChildEnv makes TestJournalChild log to the journal; it is set
// only for the test binary that TestJournalReal runs next to a private
// systemd-journald.
const journalChildEnv = "ASAB_LOGGING_JOURNAL_CHILD"

// TestJournalReal runs a real systemd-journald in a private mount
// namespace (tmpfs on /run/systemd and /run/log, so the system's journal
// is not touched), runs TestJournalChild there, and reads back with
// journalctl --directory what journald stored.
func TestJournalReal(t *testing.T) {
	const journald = "/lib/systemd/systemd-journald"
	if os.Geteuid() != 0 {
		t.Skip("needs root for a private mount namespace")
	}
	for _, bin := range []string{journald, "unshare", "journalctl"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s not found: real-journald test skipped", bin)
		}
	}
	script := fmt.Sprintf(`set -e
mount -t tmpfs tmpfs /run/systemd 2>/dev/null || { mkdir -p /run/systemd; mount -t tmpfs tmpfs /run/systemd; }
mkdir -p /run/log && mount -t tmpfs tmpfs /run/log
%s </dev/null >/dev/null 2>&1 &
jd=$!
trap 'kill $jd' EXIT
for i in $(seq 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.05; done
%s=1 %q -test.run='^TestJournalChild$' >&2
journalctl --directory=/run/log/journal -o json --no-pager LOGGER=my.journal
`, journald, journalChildEnv, os.Args[0])
	cmd := exec.Command("unshare", "-m", "sh", "-c", script)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	var entries []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("journalctl line %q: %v; stderr: %s", line, err, stderr.String())
		}
		entries = append(entries, e)
	}
	if len(entries) != 1 {
		t.Fatalf("journal holds %d entries of logger my.journal, want 1: %s; stderr: %s", len(entries), out, stderr.String())
	}
	want := map[string]string{"MESSAGE": "hello journal", "PRIORITY": "4", "SYSLOG_IDENTIFIER": "japp",
		"LOGGER": "my.journal", "USER_ID": "42", "N": "5", "F_2ND": "x", "MULTI": "line 1\nline 2"}
	for k, w := range want {
		if got := journalValue(entries[0][k]); got != w {
			t.Errorf("%s = %q, want %q (entry %v)", k, got, w, entries[0])
		}
	}
}

// journalValue returns a journalctl JSON value as text: a string, or an
// array of bytes for values journalctl does not print as one.
func journalValue(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		b := make([]byte, len(v))
		for i, c := range v {
			f, _ := c.(float64)
			b[i] = byte(f)
		}
		return string(b)
	}
	return fmt.Sprint(v)
}

// TestJournalChild logs one line through [logging:journal]; it runs only
// inside TestJournalReal.
func TestJournalChild(t *testing.T) {
	if os.Getenv(journalChildEnv) == "" {
		t.Skip("runs inside TestJournalReal only")
	}
	cfg := config.New()
	if err := cfg.LoadString("t.conf", "[logging:console]\nenabled=false\n[logging:journal]\nenabled=true\n"); err != nil {
		t.Fatal(err)
	}
	p, err := Setup(cfg, Options{AppName: "japp"})
	if err != nil {
		t.Fatal(err)
	}
	Get("my.journal").Warning().Str("user_id", "42").Int("n", 5).Str("2nd", "x").Str("multi", "line 1\nline 2").Msg("hello journal")
	if err := closeSoon(p); err != nil {
		t.Fatal(err)
	}
	if d := p.Dropped(); d != 0 {
		t.Fatalf("the journal output dropped %d lines", d)
	}
}

func TestJournalName(t *testing.T) {
	for key, want := range map[string]string{"user_id": "USER_ID", "_private": "PRIVATE", "2nd": "F_2ND",
		"req.path": "REQ_PATH", "": "F_", "Žluť": "__LU__", strings.Repeat("k", 70): strings.Repeat("K", 64)} {
		if got := string(appendJournalName(nil, []byte(key))); got != want {
			t.Errorf("%q: %q, want %q", key, got, want)
		}
	}
}
