package timer

import (
	"context"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // time zones for the tests, whatever the machine has

	"github.com/asabgo/asab/app"
)

func TestDailyNextAcrossDaysAndDST(t *testing.T) {
	prague, err := time.LoadLocation("Europe/Prague")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		clock string
		after string // in Prague time
		want  string
	}{
		{"03:00", "2026-11-23 01:00:00", "2026-11-23 03:00:00 +0100"},
		{"03:00", "2026-11-23 03:00:00", "2026-11-24 03:00:00 +0100"},
		{"23:59:30", "2026-12-31 23:59:31", "2027-01-01 23:59:30 +0100"},
		// 2026-03-29 02:30 does not exist in Prague: the first moment after.
		{"02:30", "2026-03-29 00:00:00", "2026-03-29 03:30:00 +0200"},
		// 2026-10-25 02:30 happens twice: once (Go picks which offset).
		{"02:30", "2026-10-25 00:00:00", "2026-10-25 02:30:00"},
	}
	for _, tc := range cases {
		d := daily{loc: prague}
		f, err := parseClock(tc.clock)
		if err != nil {
			t.Fatal(err)
		}
		d.hour, d.min, d.sec = f[0], f[1], f[2]
		after, _ := time.ParseInLocation("2006-01-02 15:04:05", tc.after, prague)
		got := d.next(after, after).Format("2006-01-02 15:04:05 -0700")
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s after %s: got %s, want %s", tc.clock, tc.after, got, tc.want)
		}
		if tc.clock == "02:30" && strings.HasPrefix(tc.after, "2026-10-25") {
			again := d.next(d.next(after, after), d.next(after, after))
			if again.Format("2006-01-02") != "2026-10-26" {
				t.Errorf("repeated hour ran twice: then %s", again)
			}
		}
	}
}

func TestBadClockAndCronAreNamed(t *testing.T) {
	a := app.New(app.WithName("t"), app.WithArgs())
	defer a.Release()
	for _, c := range []string{"25:00", "3", "03:60", "aa:bb", "03:00:00:00", "+1:00", "-0:00", "1:+5"} {
		if _, err := NewDaily(a, c, nil, nil); err == nil || !strings.Contains(err.Error(), c) {
			t.Errorf("daily %q: %v", c, err)
		}
	}
	if _, err := NewCron(a, "61 * * * *", nil, nil); err == nil || !strings.Contains(err.Error(), "61 * * * *") {
		t.Errorf("cron: %v", err)
	}
}

func TestCronNextInZone(t *testing.T) {
	a := app.New(app.WithName("t"), app.WithArgs())
	defer a.Release()
	ny, _ := time.LoadLocation("America/New_York")
	j, err := NewCron(a, "30 9 * * 1-5", ny, func(context.Context) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	// Saturday 2026-11-21 12:00 UTC: next is Monday 09:30 New York.
	got := j.Next(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))
	if want := "2026-11-23 09:30:00 -0500"; got.Format("2006-01-02 15:04:05 -0700") != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestCronFiresAndStopsWithTheApplication(t *testing.T) {
	fired := make(chan time.Time, 10)
	withApp(t, func(a *app.Application) {
		j, err := NewCron(a, "* * * * * *", time.UTC, func(ctx context.Context) error {
			fired <- time.Now()
			return nil
		})
		if err != nil {
			t.Error(err)
			a.Stop()
			return
		}
		_ = j.Start()
		<-fired
		<-fired
		a.Stop()
	})
	if len(fired) > 1 {
		t.Fatalf("cron kept firing after the stop: %d more", len(fired))
	}
}
