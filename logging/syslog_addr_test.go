package logging

import (
	"strings"
	"testing"
)

func TestParseSyslogAddress(t *testing.T) {
	ok := map[string]syslogAddr{
		"/dev/log":                         {"unixgram", "/dev/log"},
		"relative/log.sock":                {"unixgram", "relative/log.sock"},
		"unix-sendto:///run/log.sock":      {"unixgram", "/run/log.sock"},
		"unix-connect:///run/log.sock":     {"unix", "/run/log.sock"},
		"udp://syslog.lan":                 {"udp", "syslog.lan:514"},
		"udp://syslog.lan:1554/":           {"udp", "syslog.lan:1554"},
		"TCP://10.0.0.1:601":               {"tcp", "10.0.0.1:601"},
		"tcp://[::1]":                      {"tcp", "[::1]:514"},
		"tcp://[fe80::1%eth0]:6514":        {"tcp", "[fe80::1%eth0]:6514"},
		"  tcp://syslog.server.lan:1554/ ": {"tcp", "syslog.server.lan:1554"},
	}
	for in, want := range ok {
		got, err := parseSyslogAddress(in)
		if err != nil || got != want {
			t.Errorf("%q: got %+v, %v; want %+v", in, got, err, want)
		}
	}
	bad := map[string]string{
		"":                    "empty",
		"ftp://x":             `unknown scheme "ftp"`,
		"udp://":              "missing host",
		"udp://:514":          "missing host",
		"tcp://h:0":           `invalid port "0"`,
		"tcp://h:70000":       `invalid port "70000"`,
		"tcp://h:x":           `invalid port "x"`,
		"tcp://::1":           "brackets",
		"tcp://[::1":          "unclosed",
		"tcp://[::1]x":        "unexpected text",
		"tcp://h/path":        "invalid character '/'",
		"unix-connect://":     "missing socket path",
		"unix-sendto://a\x00": "NUL",
	}
	for in, want := range bad {
		_, err := parseSyslogAddress(in)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "syslog address") {
			t.Errorf("%q: error %v, want it to contain %q", in, err, want)
		}
	}
}

// FuzzSyslogAddress: the parser never panics, and whatever it accepts
// prints as an address that parses back to the same thing.
func FuzzSyslogAddress(f *testing.F) {
	for _, s := range []string{"/dev/log", "udp://h:514/", "tcp://[::1]:601", "unix-connect:///x", "unix-sendto://y", "tcp://h", "x://", "tcp://[", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := parseSyslogAddress(s)
		if err != nil {
			if !strings.Contains(err.Error(), "syslog address") {
				t.Fatalf("error does not say what failed: %v", err)
			}
			return
		}
		if a.address == "" || (a.network != "unixgram" && a.network != "unix" && a.network != "udp" && a.network != "tcp") {
			t.Fatalf("%q parsed to %+v", s, a)
		}
		b, err := parseSyslogAddress(a.String())
		if err != nil || b != a {
			t.Fatalf("%q -> %+v -> %q -> %+v, %v", s, a, a.String(), b, err)
		}
	})
}
