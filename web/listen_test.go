package web_test

import (
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/asabgo/asab/web"
)

func TestParseListen(t *testing.T) {
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
	}
	for _, tt := range tests {
		got, err := web.ParseListen(tt.line, "ssl:web")
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), strconv.Quote(tt.line)) {
				t.Errorf("ParseListen(%q) error = %v, want one naming the line and containing %q", tt.line, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseListen(%q) = %+v, %v; want %+v", tt.line, got, err, tt.want)
		}
	}
}

// FuzzParseListen checks that any line either fails or gives an address
// that net accepts the shape of, with a valid port.
func FuzzParseListen(f *testing.F) {
	for _, s := range []string{"0.0.0.0 8080", "[::1]:0", "8080", "/tmp/x.sock ssl", "h:1 ssl:a", "::1 1", "unix:a ssl", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		l, err := web.ParseListen(line, "ssl:web")
		if err != nil {
			if !strings.Contains(err.Error(), strconv.Quote(line)) {
				t.Fatalf("error %q does not name the line", err)
			}
			return
		}
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
			again, err := web.ParseListen(l.Address, "ssl:web")
			if err != nil || again.Address != l.Address {
				t.Fatalf("address %q does not parse back: %+v, %v", l.Address, again, err)
			}
		default:
			t.Fatalf("network %q", l.Network)
		}
	})
}
