package timer

import (
	"fmt"
	"testing"
	"time"
)

// FuzzParseClock: any accepted daily time is in range and prints back as the
// same clock; a daily schedule built from it always moves strictly forward.
func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"03:00", "23:59:59", "0:0", "24:00", "12:60", "", "1:2:3:4", "-1:00", "+1:00", " 07:30 ", "07:30:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseClock(s)
		if err != nil {
			return
		}
		if c[0] > 23 || c[1] > 59 || c[2] > 59 || c[0] < 0 || c[1] < 0 || c[2] < 0 {
			t.Fatalf("%q accepted as %v", s, c)
		}
		again, err := parseClock(fmt.Sprintf("%02d:%02d:%02d", c[0], c[1], c[2]))
		if err != nil || again != c {
			t.Fatalf("%q -> %v does not print back: %v, %v", s, c, again, err)
		}
		d := daily{hour: c[0], min: c[1], sec: c[2], loc: time.UTC}
		at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		if n := d.next(at, at); !n.After(at) || n.Sub(at) > 24*time.Hour {
			t.Fatalf("%q: next after %s is %s", s, at, n)
		}
	})
}
