package app

import (
	"strings"
	"testing"
	"time"
)

// kill_timeout defaults to shutdown_timeout plus killMargin; a value of its
// own wins; a value that is not positive is quoted in the error.
func TestKillTimeoutDefault(t *testing.T) {
	for _, tc := range []struct {
		conf string
		want time.Duration
		err  string
	}{
		{"", 30*time.Second + killMargin, ""},
		{"[general]\nshutdown_timeout = 15s\n", 15*time.Second + killMargin, ""},
		{"[general]\nshutdown_timeout = 15s\n[daemon]\nkill_timeout = 3\n", 3 * time.Second, ""},
		{"[daemon]\nkill_timeout = 0\n", 0, `configuration [daemon] kill_timeout = "0": must be a positive duration`},
		{"[daemon]\nkill_timeout = later\n", 0, `[daemon] kill_timeout = "later"`},
		{"[general]\nshutdown_timeout = 0\n", 0, `configuration [general] shutdown_timeout = "0": must be a positive duration`},
	} {
		a, _ := quiet(t, WithArgs(), WithConfigString(tc.conf))
		got, err := a.killTimeout()
		a.Release()
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("%q: %v, %v; want %v", tc.conf, got, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: error %v, want one with %q", tc.conf, err, tc.err)
		}
	}
}

// A [daemon] key set and not empty wins over [general]'s; an empty one
// falls back; start_timeout defaults to 60 s.
func TestDaemonKeysFallBackToGeneral(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	a, _ := quiet(t, WithArgs(), WithConfigString("[general]\nworking_dir = "+other+"\npidfile = \n[daemon]\nworking_dir = "+dir+"\numask = \n"))
	defer a.Release()
	s, err := a.readDaemonSettings()
	if err != nil {
		t.Fatal(err)
	}
	if s.workingDir != dir || s.pidfile != "" || s.umask != -1 || s.startTimeout != 60*time.Second {
		t.Fatalf("settings %+v; want working_dir %s from [daemon], no pidfile, inherited umask, start_timeout 60s", s, dir)
	}
}

// -d refuses a start_timeout that is not positive, quoting it.
func TestStartTimeoutMustBePositive(t *testing.T) {
	a, _ := quiet(t, WithArgs(), WithConfigString("[general]\npidfile = \n[daemon]\nstart_timeout = 0\n"))
	defer a.Release()
	_, err := a.readDaemonSettings()
	if want := `configuration [daemon] start_timeout = "0": must be a positive duration`; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want %q", err, want)
	}
}
