package sock

import (
	"errors"
	"net"
	"strings"
	"testing"
)

// FuzzParseListen checks that any text either parses into addresses that
// read back the same, or fails with an ErrAddr naming a line.
func FuzzParseListen(f *testing.F) {
	for _, s := range []string{
		"8080", "0.0.0.0 8080", ":: 8080", "[::1]:8080", "/run/a.sock", "unix:a",
		"127.0.0.1 80 # c\n/tmp/x\n; c\n", "host 1 2", "[::1]", "a:b:c", "\n\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		addrs, err := ParseListen(text)
		if err != nil {
			if !errors.Is(err, ErrAddr) || !strings.HasPrefix(err.Error(), "line ") {
				t.Fatalf("error %v is not an ErrAddr naming its line", err)
			}
			return
		}
		for _, a := range addrs {
			switch a.Network {
			case "tcp":
				if _, _, err := net.SplitHostPort(a.Address); err != nil {
					t.Fatalf("%q gave a TCP address %q that net cannot split: %v", text, a.Address, err)
				}
			case "unix":
				if a.Address == "" {
					t.Fatalf("%q gave an empty unix path", text)
				}
			default:
				t.Fatalf("%q gave network %q", text, a.Network)
			}
			again, err := ParseAddr(a.String())
			if err != nil || again != a {
				t.Fatalf("%q: %v does not read back: %v, %v", text, a, again, err)
			}
		}
	})
}
