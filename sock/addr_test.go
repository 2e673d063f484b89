package sock

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/asabgo/asab/config"
)

func TestParseAddr(t *testing.T) {
	cases := []struct {
		in   string
		want Addr
		err  string
	}{
		{"8080", Addr{"tcp", ":8080"}, ""},
		{" 0 ", Addr{"tcp", ":0"}, ""},
		{"0.0.0.0 8080", Addr{"tcp", "0.0.0.0:8080"}, ""},
		{"127.0.0.1\t7000", Addr{"tcp", "127.0.0.1:7000"}, ""},
		{":: 8080", Addr{"tcp", "[::]:8080"}, ""},
		{"[::1] 8080", Addr{"tcp", "[::1]:8080"}, ""},
		{"127.0.0.1:8080", Addr{"tcp", "127.0.0.1:8080"}, ""},
		{"[::1]:0", Addr{"tcp", "[::1]:0"}, ""},
		{":8080", Addr{"tcp", ":8080"}, ""},
		{"localhost:08080", Addr{"tcp", "localhost:8080"}, ""},
		{"/run/app.sock", Addr{"unix", "/run/app.sock"}, ""},
		{"./app.sock", Addr{"unix", "./app.sock"}, ""},
		{"unix:app.sock", Addr{"unix", "app.sock"}, ""},
		{"", Addr{}, "no address"},
		{"unix:", Addr{}, "needs a path"},
		{"65536", Addr{}, `port "65536"`},
		{"host 12 13", Addr{}, "want \"address port\""},
		{"localhost:http", Addr{}, `port "http"`},
		{"::1:8080", Addr{}, "too many colons"},
		{"[::1]", Addr{}, "missing port"},
		{"host -1", Addr{}, `port "-1"`},
		{"host +1", Addr{}, `port "+1"`},
		{"[a]b 1", Addr{}, "malformed host"},
	}
	for _, c := range cases {
		got, err := ParseAddr(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || !errors.Is(err, ErrAddr) {
				t.Errorf("ParseAddr(%q) = %v, %v; want an ErrAddr mentioning %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseAddr(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

func TestParseListen(t *testing.T) {
	text := "\n127.0.0.1 8080 # the public one\n\n# a comment\n; another\n/tmp/a#b.sock\n[::1]:9000 ;v6\n"
	got, err := ParseListen(text)
	want := []Addr{{"tcp", "127.0.0.1:8080"}, {"unix", "/tmp/a#b.sock"}, {"tcp", "[::1]:9000"}}
	if err != nil || len(got) != len(want) {
		t.Fatalf("ParseListen = %v, %v", got, err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("address %d = %v, want %v", i, got[i], want[i])
		}
	}
	_, err = ParseListen("8080\nnot a port at all\n")
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("error %v does not name line 2", err)
	}
}

func TestReadServerConfig(t *testing.T) {
	good := "[s]\nlisten=\n  127.0.0.1 7000\n  /tmp/x.sock\nmax_connections=10\nread_timeout=5m\nwrite_timeout=30s\nunix_mode=0660\n"
	cfg := config.New()
	if err := cfg.LoadString("good", good); err != nil {
		t.Fatal(err)
	}
	sc, err := ReadServerConfig(cfg, "s")
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Addrs) != 2 || sc.MaxConnections != 10 || sc.ReadTimeout != 5*time.Minute ||
		sc.WriteTimeout != 30*time.Second || sc.UnixMode != 0o660 {
		t.Fatalf("read %+v", sc)
	}
	cfg = config.New()
	cfg.LoadString("min", "[s]\nlisten=7000\n")
	if sc, err = ReadServerConfig(cfg, "s"); err != nil || sc.MaxConnections != DefaultMaxConnections || sc.ReadTimeout != 0 || sc.UnixMode != 0 {
		t.Fatalf("defaults: %+v, %v", sc, err)
	}

	bad := []struct{ text, want string }{
		{"[s]\nmax_connections=1\n", "[s] listen"},
		{"[s]\nlisten=\n", `[s] listen = "": must not be empty`},
		{"[s]\nlisten=7000\n  x y z\n", "[s] listen: line 2"},
		{"[s]\nlisten=7000\nmax_connections=many\n", `[s] max_connections = "many"`},
		{"[s]\nlisten=7000\nmax_connections=0\n", `[s] max_connections = "0"`},
		{"[s]\nlisten=7000\nread_timeout=soon\n", `[s] read_timeout = "soon"`},
		{"[s]\nlisten=7000\nwrite_timeout=-1\n", `[s] write_timeout = "-1"`},
		{"[s]\nlisten=7000\nunix_mode=0999\n", `[s] unix_mode = "0999"`},
		{"[s]\nlisten=7000\nunix_mode=01777\n", `[s] unix_mode = "01777"`},
	}
	for _, b := range bad {
		cfg := config.New()
		if err := cfg.LoadString("bad", b.text); err != nil {
			t.Fatal(err)
		}
		_, err := ReadServerConfig(cfg, "s")
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%q: error %v, want one containing %q", b.text, err, b.want)
		}
	}
}
