package web_test

import (
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/asabgo/asab/web"
)

func TestParseAddr(t *testing.T) {
	tests := []struct {
		line string
		want web.Listen
		err  string // part of the error; "" for success
	}{
		{"0.0.0.0 8080", web.Listen{Network: "tcp4", Address: "0.0.0.0:8080"}, ""},
		{"  127.0.0.1   0 ", web.Listen{Network: "tcp4", Address: "127.0.0.1:0"}, ""},
		{"127.0.0.1:8080", web.Listen{Network: "tcp4", Address: "127.0.0.1:8080"}, ""},
		{"[::1]:8080", web.Listen{Network: "tcp6", Address: "[::1]:8080"}, ""},
		{":: 8080", web.Listen{Network: "tcp6", Address: "[::]:8080"}, ""},
		{"::1 443 ssl", web.Listen{Network: "tcp6", Address: "[::1]:443", TLS: "ssl:web"}, ""},
		{"8080", web.Listen{Network: "tcp", Address: ":8080"}, ""},
		{"08080", web.Listen{Network: "tcp", Address: ":8080"}, ""},
		{":8080", web.Listen{Network: "tcp", Address: ":8080"}, ""},
		{"localhost:8080", web.Listen{Network: "tcp", Address: "localhost:8080"}, ""},
		{"0.0.0.0 8443 ssl:public", web.Listen{Network: "tcp4", Address: "0.0.0.0:8443", TLS: "ssl:public"}, ""},
		{"/run/app/web.sock", web.Listen{Network: "unix", Address: "/run/app/web.sock"}, ""},
		{"./web.sock ssl", web.Listen{Network: "unix", Address: "./web.sock", TLS: "ssl:web"}, ""},
		{"", web.Listen{}, "no address"},
		{"ssl", web.Listen{}, "no address"},
		{"0.0.0.0 80800", web.Listen{}, `port "80800"`},
		{"0.0.0.0 -1", web.Listen{}, `port "-1"`},
		{"0.0.0.0 +80", web.Listen{}, `port "+80"`},
		{"0.0.0.0 http", web.Listen{}, `port "http"`},
		{"::1:8080", web.Listen{}, "too many colons"},
		{"1.2.3.4 80 90", web.Listen{}, `want "address port"`},
		{"bad_host 80", web.Listen{}, "neither an IP address nor a host name"},
		{"127.0.0.1", web.Listen{}, "missing port"},
		{"unix:8080", web.Listen{Network: "unix", Address: "8080"}, ""},
		{"unix 8080", web.Listen{}, `host "unix" is refused`},
	}
	for _, tt := range tests {
		got, err := web.ParseAddr(tt.line, "ssl:web")
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), strconv.Quote(tt.line)) {
				t.Errorf("ParseAddr(%q) error = %v, want one naming the line and containing %q", tt.line, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseAddr(%q) = %+v, %v; want %+v", tt.line, got, err, tt.want)
		}
	}
}

// TestParseListen reads a multi-line value: comments skipped, errors
// naming the line.
func TestParseListen(t *testing.T) {
	got, err := web.ParseListen("# admin\n127.0.0.1 8080 ; local\n\nunix:a.sock ssl:pub\n", "ssl:web")
	want := []web.Listen{{Network: "tcp4", Address: "127.0.0.1:8080"}, {Network: "unix", Address: "a.sock", TLS: "ssl:pub"}}
	if err != nil || len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("ParseListen = %+v, %v; want %+v", got, err, want)
	}
	if _, err := web.ParseListen("8080\nunix 8080\n", "ssl:web"); err == nil ||
		!strings.HasPrefix(err.Error(), `line 2: bad listen address "unix 8080"`) {
		t.Fatalf("error %v, want one naming line 2", err)
	}
}

// FuzzParseListen checks that any value either fails with an error naming
// a line, or gives addresses net accepts the shape of, with valid ports,
// each printing (Listen.String) as a line that parses back to itself.
func FuzzParseListen(f *testing.F) {
	for _, s := range []string{"0.0.0.0 8080", "[::1]:0", "8080", "/tmp/x.sock ssl", "h:1 ssl:a", "::1 1", "unix:a ssl",
		"unix 0", "unix:unix:a/b", "1 # c\n; c\nunix:b\n", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ls, err := web.ParseListen(text, "ssl:web")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "line ") {
				t.Fatalf("error %q does not name the line", err)
			}
			return
		}
		for _, l := range ls {
			checkListen(t, text, l)
		}
	})
}

func checkListen(t *testing.T, text string, l web.Listen) {
	if l.TLS != "" && !strings.HasPrefix(l.TLS, "ssl:") {
		t.Fatalf("TLS section %q", l.TLS)
	}
	switch l.Network {
	case "unix":
		// "unix:name" gives a path without "/" (the grammar shared with sock).
		if l.Address == "" || strings.ContainsAny(l.Address, " \t\n\r") {
			t.Fatalf("unix path %q", l.Address)
		}
	case "tcp", "tcp4", "tcp6":
		_, port, err := net.SplitHostPort(l.Address)
		if err != nil {
			t.Fatalf("address %q: %v", l.Address, err)
		}
		if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			t.Fatalf("port %q", port)
		}
	default:
		t.Fatalf("network %q", l.Network)
	}
	// Round trip: the line String prints means the same listener.
	again, err := web.ParseAddr(l.String(), "ssl:web")
	if err != nil || again != l {
		t.Fatalf("%q gave %+v, printed %q, which parses back as %+v, %v", text, l, l.String(), again, err)
	}
}
