package config

import (
	"testing"
	"time"
)

func TestDefaultsFreshEachCall(t *testing.T) {
	d := Defaults()
	d["general"]["tick_period"] = 99
	delete(d, "logging")
	d2 := Defaults()
	if d2["general"]["tick_period"] != 1 || d2["logging"] == nil {
		t.Fatal("Defaults() returned shared state")
	}
}

func TestDefaultSections(t *testing.T) {
	c := New()
	c.AddDefaults(Defaults())
	want := map[string]map[string]string{
		"general": {"tick_period": "1", "shutdown_timeout": "30", "watchdog_threshold": "", "var_dir": "/var/lib/asab",
			"uid": "", "gid": "", "pidfile": "!", "working_dir": "."},
		"daemon":          {"pidfile": "", "uid": "", "gid": "", "working_dir": ""},
		"logging":         {"verbose": "false", "level": "NOTICE", "levels": "", "app_name": "", "sd_id": "sd"},
		"logging:console": {"enabled": "", "format": "default"},
		"logging:file":    {"path": "", "backup_count": "3", "backup_max_bytes": "0", "rotate_every": ""},
		"logging:syslog":  {"enabled": "false", "address": "/dev/log", "format": "3"},
	}
	// [web] belongs to package web, which defines its defaults once; a copy
	// here used to win over web's own.
	if c.HasSection("web") {
		t.Errorf("config.Defaults defines [web]: %v", c.Keys("web"))
	}
	for sec, keys := range want {
		if !c.HasSection(sec) {
			t.Errorf("missing section [%s]", sec)
		}
		if got := len(c.Keys(sec)); got != len(keys) {
			t.Errorf("[%s] has %d keys, want %d: %v", sec, got, len(keys), c.Keys(sec))
		}
		for k, v := range keys {
			if got := mustGet(t, c, sec, k); got != v {
				t.Errorf("[%s] %s = %q, want %q", sec, k, got, v)
			}
		}
	}
	if len(c.Sections()) != len(want) {
		t.Errorf("Sections() = %v", c.Sections())
	}
	if b, err := c.GetBool("logging", "verbose"); err != nil || b {
		t.Errorf("[logging] verbose = %v, %v", b, err)
	}
}

func TestAddDefaultsFillsOnlyMissing(t *testing.T) {
	t.Setenv("ASAB_TEST_VAR", "env")
	c := load(t, "[s]\na = file\n")
	c.AddDefaults(map[string]map[string]any{
		"s":   {"a": "default", "B": 2, "c": "$ASAB_TEST_VAR/x", "d": 2 * time.Second, "e": []string{"x", "y"}, "f": 0.5, "g": nil, "h": true},
		"new": {"k": int64(5)},
	})
	want := map[string]string{"a": "file", "b": "2", "c": "env/x", "d": "2", "e": "x\ny", "f": "0.5", "g": "", "h": "true"}
	for k, v := range want {
		if got := mustGet(t, c, "s", k); got != v {
			t.Errorf("[s] %s = %q, want %q", k, got, v)
		}
	}
	if got := mustGet(t, c, "new", "k"); got != "5" {
		t.Errorf("[new] k = %q", got)
	}
	// A later load still overrides defaults.
	if err := c.LoadString("late.conf", "[s]\nb = late\n"); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, c, "s", "b"); got != "late" {
		t.Errorf("[s] b = %q, want late", got)
	}
}
