package listen_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/asabgo/asab/internal/listen"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// ssl is the suffix web uses.
var ssl = listen.Options{
	Suffix:     func(w string) bool { return w == "ssl" || strings.HasPrefix(w, "ssl:") },
	SuffixHint: "ssl or ssl:SECTION",
}

func TestParse(t *testing.T) {
	type A = listen.Addr
	tests := []struct {
		line string
		opt  listen.Options
		want A
		err  string // part of the error; "" for success
	}{
		{"8080", listen.Options{}, A{Network: "tcp", Address: ":8080"}, ""},
		{" 0 ", listen.Options{}, A{Network: "tcp", Address: ":0"}, ""},
		{"08080", listen.Options{}, A{Network: "tcp", Address: ":8080"}, ""},
		{"65535", listen.Options{}, A{Network: "tcp", Address: ":65535"}, ""},
		{"0.0.0.0 8080", listen.Options{}, A{Network: "tcp4", Address: "0.0.0.0:8080"}, ""},
		{"127.0.0.1\t7000", listen.Options{}, A{Network: "tcp4", Address: "127.0.0.1:7000"}, ""},
		{":: 8080", listen.Options{}, A{Network: "tcp6", Address: "[::]:8080"}, ""},
		{"[::1] 8080", listen.Options{}, A{Network: "tcp6", Address: "[::1]:8080"}, ""},
		{"127.0.0.1:8080", listen.Options{}, A{Network: "tcp4", Address: "127.0.0.1:8080"}, ""},
		{"[::1]:0", listen.Options{}, A{Network: "tcp6", Address: "[::1]:0"}, ""},
		{"[::ffff:1.2.3.4]:1", listen.Options{}, A{Network: "tcp4", Address: "[::ffff:1.2.3.4]:1"}, ""},
		{":8080", listen.Options{}, A{Network: "tcp", Address: ":8080"}, ""},
		{"localhost:08080", listen.Options{}, A{Network: "tcp", Address: "localhost:8080"}, ""},
		{"my-host.example.com 1", listen.Options{}, A{Network: "tcp", Address: "my-host.example.com:1"}, ""},
		{"/run/app.sock", listen.Options{}, A{Network: "unix", Address: "/run/app.sock"}, ""},
		{"./app.sock", listen.Options{}, A{Network: "unix", Address: "./app.sock"}, ""},
		{"unix:app.sock", listen.Options{}, A{Network: "unix", Address: "app.sock"}, ""},
		{"unix:/run/a.sock", listen.Options{}, A{Network: "unix", Address: "/run/a.sock"}, ""},
		{"::1 443 ssl", ssl, A{Network: "tcp6", Address: "[::1]:443", Suffix: "ssl"}, ""},
		{"8443 ssl:public", ssl, A{Network: "tcp", Address: ":8443", Suffix: "ssl:public"}, ""},
		{"unix:a ssl", ssl, A{Network: "unix", Address: "a", Suffix: "ssl"}, ""},
		{"systemd", listen.Options{}, A{Network: listen.Systemd}, ""},
		{"systemd:web", listen.Options{}, A{Network: listen.Systemd, Address: "web"}, ""},
		{"systemd:web ssl", ssl, A{Network: listen.Systemd, Address: "web", Suffix: "ssl"}, ""},
		{"systemd:", listen.Options{}, A{}, `systemd socket name ""`},
		{"systemd:a:b", listen.Options{}, A{}, `systemd socket name "a:b"`},
		{"systemd 8080", listen.Options{}, A{}, `"systemd" is followed by "8080"`},

		{"", listen.Options{}, A{}, "no address"},
		{"ssl", ssl, A{}, "no address"},
		{"unix:", listen.Options{}, A{}, "unix: needs a path"},
		{"/tmp/a b", listen.Options{}, A{}, "may not contain white space"},
		{"unix:a ssl", listen.Options{}, A{}, "may not contain white space"},
		{"65536", listen.Options{}, A{}, `port "65536"`},
		{"99999999999999999999", listen.Options{}, A{}, `port "99999999999999999999"`},
		{"host -1", listen.Options{}, A{}, `port "-1"`},
		{"host +1", listen.Options{}, A{}, `port "+1"`},
		{"localhost:http", listen.Options{}, A{}, `port "http"`},
		{"1.2.3.4 80 90", listen.Options{}, A{}, `want "address port"`},
		{"1.2.3.4 80 90", ssl, A{}, "then optionally ssl or ssl:SECTION"},
		{"::1:8080", listen.Options{}, A{}, "too many colons"},
		{"[::1]", listen.Options{}, A{}, "missing port"},
		{"127.0.0.1", listen.Options{}, A{}, "missing port"},
		{"[a]b 1", listen.Options{}, A{}, `malformed host "[a]b"`},
		{"bad_host 80", listen.Options{}, A{}, "neither an IP address nor a host name"},
		{"-lead 80", listen.Options{}, A{}, "neither an IP address nor a host name"},
		{"a..b 80", listen.Options{}, A{}, "neither an IP address nor a host name"},
		{"1.2.3.256 80", listen.Options{}, A{}, "neither an IP address nor a host name"},
		{"127.0.0.1:80 90", listen.Options{}, A{}, "neither an IP address nor a host name"},
		{"[localhost]:80", listen.Options{}, A{}, "brackets hold only an IPv6 address"},
		{"[1.2.3.4] 80", listen.Options{}, A{}, "brackets hold only an IPv6 address"},
		{"[]:80", listen.Options{}, A{}, "brackets hold only an IPv6 address"},
		// "unix:PORT" is a socket path, so no TCP host may be named unix.
		{"unix:8080", listen.Options{}, A{Network: "unix", Address: "8080"}, ""},
		{"unix 0", listen.Options{}, A{}, `host "unix" is refused`},
		{"UNIX 8080", listen.Options{}, A{}, `host "UNIX" is refused`},
		{"Unix:8080", listen.Options{}, A{}, `host "Unix" is refused`},
		{"[unix]:1", listen.Options{}, A{}, "brackets hold only an IPv6 address"},
		{"unix.example.com 1", listen.Options{}, A{Network: "tcp", Address: "unix.example.com:1"}, ""},
	}
	for _, tt := range tests {
		got, err := listen.Parse(tt.line, tt.opt)
		if tt.err != "" {
			if err == nil || !errors.Is(err, listen.ErrBad) || !strings.Contains(err.Error(), tt.err) ||
				!strings.Contains(err.Error(), strconv.Quote(tt.line)) {
				t.Errorf("Parse(%q) = %+v, %v; want an ErrBad naming the line and containing %q", tt.line, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tt.line, got, err, tt.want)
		}
	}
}

func TestParseLines(t *testing.T) {
	text := "\n127.0.0.1 8080 # the public one\n\n# a comment\n; another\n/tmp/a#b.sock\n[::1]:9000 ;v6\n  8443 ssl\n"
	got, err := listen.ParseLines(text, ssl)
	want := []listen.Line{
		{Addr: listen.Addr{Network: "tcp4", Address: "127.0.0.1:8080"}, N: 1, Text: "127.0.0.1 8080"},
		{Addr: listen.Addr{Network: "unix", Address: "/tmp/a#b.sock"}, N: 2, Text: "/tmp/a#b.sock"},
		{Addr: listen.Addr{Network: "tcp6", Address: "[::1]:9000"}, N: 3, Text: "[::1]:9000"},
		{Addr: listen.Addr{Network: "tcp", Address: ":8443", Suffix: "ssl"}, N: 4, Text: "8443 ssl"},
	}
	if err != nil || len(got) != len(want) {
		t.Fatalf("ParseLines = %+v, %v", got, err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// Blank and comment lines do not count: the bad line is address line 2.
	_, err = listen.ParseLines("8080\n\n# c\nnot a port at all\n", listen.Options{})
	if err == nil || !errors.Is(err, listen.ErrBad) || !strings.HasPrefix(err.Error(), "line 2: ") ||
		!strings.Contains(err.Error(), `"not a port at all"`) {
		t.Fatalf("error %v does not name line 2 and its text", err)
	}
	if got, err := listen.ParseLines(" \n# only a comment\n", listen.Options{}); err != nil || got != nil {
		t.Fatalf("empty value: %v, %v", got, err)
	}
}

func TestStripComment(t *testing.T) {
	for in, want := range map[string]string{
		"  8080  ": "8080", "# x": "", "; x": "", "8080 # x": "8080", "8080\t;x": "8080",
		"/tmp/a#b": "/tmp/a#b", "a;b 1": "a;b 1", "": "",
	} {
		if got := listen.StripComment(in); got != want {
			t.Errorf("StripComment(%q) = %q, want %q", in, got, want)
		}
	}
}
