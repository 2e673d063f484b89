package metrics_test

import (
	"path/filepath"
	"testing"

	"github.com/asabgo/asab/logging"
)

// TestLoggingMetrics scrapes /asab/v1/metrics before and after logging a
// known number of lines per level, and checks the difference (the
// framework logs its own lines at start-up, so absolute counts are not
// known in advance). A syslog output to a socket that does not exist, with
// a queue of 2, must count the lines it drops.
func TestLoggingMetrics(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "nobody-listens")
	r := start(t, setup{conf: "[general]\nshutdown_timeout=1\n[logging]\nlevels=\n  test.chatty DEBUG\n" +
		"[logging:syslog]\nenabled=yes\naddress=unix-sendto://" + sock + "\nqueue_size=2\n"})
	scrape := func() (lines map[string]float64, dropped map[string]float64) {
		_, body := get(t, r.url("/asab/v1/metrics"), "")
		fams := parseText(t, body)
		lines, dropped = map[string]float64{}, map[string]float64{}
		for _, lv := range []string{"DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL"} {
			lines[lv] = sample(t, fams, "asab_log_lines_total", map[string]string{"level": lv})
		}
		for _, out := range []string{"file:" + r.logPath, "syslog:unix-sendto://" + sock} {
			dropped[out] = sample(t, fams, "asab_log_dropped_total", map[string]string{"output": out})
		}
		return lines, dropped
	}
	before, _ := scrape()

	quiet, chatty := logging.Get("test.quiet"), logging.Get("test.chatty")
	for i := 0; i < 7; i++ {
		quiet.Debug().Int("i", i).Msg("filtered out")
		quiet.Info().Int("i", i).Msg("filtered out")
	}
	chatty.Debug().Msg("d")
	chatty.Info().Msg("i")
	for i := 0; i < 3; i++ {
		quiet.Notice().Int("i", i).Msg("n")
	}
	quiet.Warning().Msg("w")
	quiet.Warning().Msg("w")
	for i := 0; i < 4; i++ {
		quiet.Error().Int("i", i).Msg("e")
	}
	chatty.Critical().Msg("c")

	after, dropped := scrape()
	want := map[string]float64{"DEBUG": 1, "INFO": 1, "NOTICE": 3, "WARNING": 2, "ERROR": 4, "CRITICAL": 1}
	for lv, w := range want {
		if got := after[lv] - before[lv]; got != w {
			t.Errorf("asab_log_lines_total{level=%q} grew by %v, want %v (before %v, after %v)", lv, got, w, before[lv], after[lv])
		}
	}
	if got := dropped["file:"+r.logPath]; got != 0 {
		t.Errorf("the file output dropped %v lines", got)
	}
	// Every line that passed the threshold went to syslog, which cannot
	// send: all but what the queue (2) and the sender (1) hold are dropped.
	total := 0.0
	for _, n := range after {
		total += n
	}
	if got := dropped["syslog:unix-sendto://"+sock]; got < total-3 || got > total {
		t.Errorf("asab_log_dropped_total for syslog = %v, want between %v and %v", got, total-3, total)
	}
}
