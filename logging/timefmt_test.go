package logging

import (
	"strconv"
	"testing"
	"time"
)

// TestAppendMicros: every microsecond of a second, six digits, as
// strconv writes it zero-padded, from any nanosecond within it.
func TestAppendMicros(t *testing.T) {
	var buf []byte
	for us := 0; us < 1e6; us++ {
		buf = appendMicros(buf[:0], us*1000+us%1000)
		want := strconv.Itoa(us + 1e6)[1:]
		if string(buf) != want {
			t.Fatalf("%d µs: %q, want %q", us, buf, want)
		}
	}
}

// TestTimeCacheAcrossSeconds: the cached seconds part is renewed when the
// second or the location changes.
func TestTimeCacheAcrossSeconds(t *testing.T) {
	var c timeCache
	base := time.Date(2026, time.November, 23, 0, 1, 12, 999999000, time.UTC)
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{base, "23-Nov-2026 00:01:12.999999"},
		{base.Add(time.Microsecond), "23-Nov-2026 00:01:13.000000"},
		{base.Add(time.Microsecond).In(time.FixedZone("X", 3600)), "23-Nov-2026 01:01:13.000000"},
	} {
		if got := string(c.appendTime(nil, tc.t, false)); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.t, got, tc.want)
		}
	}
}
