package logging

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/asabgo/asab/config"
)

// A run-time threshold applies at once to the logger and its children,
// reverts by itself after its time, and Thresholds shows both states.
func TestSetLevelRevertsAfterItsTime(t *testing.T) {
	p := newPipeline(LevelNotice, []levelRule{{"ov.quiet", LevelError}}, time.Now)
	c := capture(p, renderer{format: formatText, sdID: "sd"})
	use(t, p)
	lg, child, other := Get("ov.test"), Get("ov.test.worker"), Get("ov.tester")
	if lg.Enabled(LevelDebug) {
		t.Fatal("DEBUG passes before SetLevel")
	}
	th, err := p.SetLevel("ov.test", LevelDebug, 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if th.Level != LevelDebug || th.Configured != LevelNotice || !th.Override || time.Until(th.Until) > 200*time.Millisecond {
		t.Fatalf("SetLevel returned %+v", th)
	}
	if !lg.Enabled(LevelDebug) || !child.Enabled(LevelDebug) {
		t.Fatal("the override did not reach ov.test and ov.test.worker")
	}
	if other.Enabled(LevelDebug) {
		t.Fatal("the override for ov.test reached ov.tester")
	}
	lg.Debug().Msg("debug while overridden")
	got := p.Thresholds()
	if len(got) != 3 || got[0].Logger != RootLogger || got[1].Logger != "ov.quiet" || got[2].Logger != "ov.test" || !got[2].Override || got[1].Override {
		t.Fatalf("Thresholds = %+v", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for lg.Enabled(LevelDebug) {
		if time.Now().After(deadline) {
			t.Fatal("the override did not revert within 5 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if elapsed := time.Until(th.Until); elapsed > 0 {
		t.Fatalf("reverted %s before its time", elapsed)
	}
	lg.Debug().Msg("debug after the revert")
	lines := strings.Join(c.get(p), "\n")
	if !strings.Contains(lines, "debug while overridden") || strings.Contains(lines, "debug after the revert") {
		t.Fatalf("lines:\n%s", lines)
	}
	if !strings.Contains(lines, `logger="ov.test"`) || !strings.Contains(lines, "Run-time log level reverted to the configured one") {
		t.Fatalf("no NOTICE about the revert:\n%s", lines)
	}
	if got := p.Thresholds(); len(got) != 2 {
		t.Fatalf("after the revert Thresholds = %+v", got)
	}
}

// The root override, ResetLevel, a second SetLevel replacing the first
// (and its timer), and the refusals.
func TestSetLevelRootResetAndRefusals(t *testing.T) {
	p := newPipeline(LevelNotice, nil, time.Now)
	use(t, p)
	lg := Get("ov.root.any")
	if _, err := p.SetLevel(RootLogger, LevelWarning, 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if lg.Enabled(LevelNotice) {
		t.Fatal("root WARNING override let NOTICE through")
	}
	if _, err := p.SetLevel(RootLogger, LevelInfo, 0); err != nil { // replaces the first, without revert
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond)
	if !lg.Enabled(LevelInfo) {
		t.Fatal("the first override's timer reverted the second")
	}
	if !p.ResetLevel(RootLogger) || p.ResetLevel(RootLogger) {
		t.Fatal("ResetLevel should report true once, then false")
	}
	if lg.Enabled(LevelInfo) || !lg.Enabled(LevelNotice) {
		t.Fatal("after ResetLevel the root is not NOTICE again")
	}
	for _, name := range []string{"", "a b", "tab\tname", strings.Repeat("x", 300)} {
		if _, err := p.SetLevel(name, LevelDebug, 0); err == nil {
			t.Errorf("SetLevel(%q) accepted", name)
		}
	}
	if _, err := p.SetLevel("ok", Level(9), 0); err == nil {
		t.Error("SetLevel accepted level 9")
	}
	if _, err := p.SetLevel("ok", LevelDebug, -time.Second); err == nil {
		t.Error("SetLevel accepted a negative revert time")
	}
	for i := range maxOverrides {
		if _, err := p.SetLevel(fmt.Sprintf("many.%d", i), LevelInfo, time.Hour); err != nil {
			t.Fatalf("override %d: %v", i, err)
		}
	}
	if _, err := p.SetLevel("one.too.many", LevelInfo, 0); err == nil {
		t.Errorf("override %d accepted", maxOverrides+1)
	}
	if _, err := p.SetLevel("many.0", LevelDebug, 0); err != nil {
		t.Errorf("replacing an override at the limit: %v", err)
	}
	_ = p.Close(context.Background())
	if _, err := p.SetLevel("ok", LevelDebug, time.Hour); err == nil {
		t.Error("SetLevel on a closed pipeline accepted")
	}
}

// A reload keeps the overrides; its new rules come through where there is
// none, and where one reverts.
func TestReloadKeepsOverrides(t *testing.T) {
	p := newPipeline(LevelNotice, nil, time.Now)
	use(t, p)
	if _, err := p.SetLevel("ov.keep", LevelDebug, 0); err != nil {
		t.Fatal(err)
	}
	cfg := config.New()
	if err := cfg.LoadString("test", "[logging]\nlevel = WARNING\nlevels =\n\tov.keep ERROR\n\tov.new INFO\n"); err != nil {
		t.Fatal(err)
	}
	if err := p.Reload(context.Background(), cfg, []string{"logging"}); err != nil {
		t.Fatal(err)
	}
	if !Get("ov.keep").Enabled(LevelDebug) {
		t.Fatal("the reload dropped the override of ov.keep")
	}
	if !Get("ov.new").Enabled(LevelInfo) || Get("ov.other").Enabled(LevelNotice) {
		t.Fatal("the reload's rules did not apply beside the override")
	}
	th := p.Thresholds()
	if th[0].Level != LevelWarning || th[1].Logger != "ov.keep" || th[1].Configured != LevelError || th[1].Level != LevelDebug {
		t.Fatalf("Thresholds = %+v", th)
	}
	p.ResetLevel("ov.keep")
	if Get("ov.keep").Enabled(LevelWarning) || !Get("ov.keep").Enabled(LevelError) {
		t.Fatal("after ResetLevel ov.keep does not follow the reloaded ERROR")
	}
}
