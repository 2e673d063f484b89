package listen_test

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/asabgo/asab/internal/listen"
)

// FuzzParse checks that any line either fails with an ErrBad quoting it, or
// gives an address of a known network that parses back to itself.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"8080", "0.0.0.0 8080", ":: 8080", "[::1]:8080", "/run/a.sock", "unix:a", "unix:",
		"h:1 ssl:a", "[::1] 1 ssl", "host 1 2", "[::1]", "a:b:c", "[a]b 1", "x.y-z 65535", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		a, err := listen.Parse(line, ssl)
		if err != nil {
			if !errors.Is(err, listen.ErrBad) || !strings.Contains(err.Error(), strconv.Quote(line)) {
				t.Fatalf("error %v is not an ErrBad quoting the line", err)
			}
			return
		}
		if a.Suffix != "" && !ssl.Suffix(a.Suffix) {
			t.Fatalf("suffix %q", a.Suffix)
		}
		again := a.Address
		switch a.Network {
		case "unix":
			if a.Address == "" || strings.ContainsFunc(a.Address, isSpace) {
				t.Fatalf("unix path %q", a.Address)
			}
			again = "unix:" + a.Address
		case "tcp", "tcp4", "tcp6":
			_, port, err := net.SplitHostPort(a.Address)
			if err != nil {
				t.Fatalf("address %q: %v", a.Address, err)
			}
			if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 || strconv.Itoa(n) != port {
				t.Fatalf("port %q", port)
			}
		default:
			t.Fatalf("network %q", a.Network)
		}
		b, err := listen.Parse(again, listen.Options{})
		if a.Suffix = ""; err != nil || b != a {
			t.Fatalf("%q gave %+v, which parses back as %+v, %v", line, a, b, err)
		}
	})
}

func isSpace(r rune) bool { return strings.TrimSpace(string(r)) == "" }
