package timer

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/asabgo/asab/app"
	"github.com/robfig/cron/v3"
)

// cronParser accepts five fields (minute hour day-of-month month
// day-of-week), an optional leading seconds field, and descriptors such as
// @hourly or @every 1h.
var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Job runs a handler at the times a schedule names: a cron expression
// (NewCron) or a daily wall-clock time (NewDaily). It is started by Start and
// stopped by Stop or when the application stops.
type Job struct {
	r *runner
	s schedule
}

// NewCron creates a job for a cron expression in the time zone loc (nil
// means local time): five fields, or six with leading seconds, or a
// descriptor (@hourly, @daily, @every 90s, ...). "CRON_TZ=Zone" may prefix
// the expression. A bad expression is an error naming it.
func NewCron(a *app.Application, expr string, loc *time.Location, handler Handler) (*Job, error) {
	sched, err := cronParser.Parse(expr)
	if err != nil {
		return nil, fmt.Errorf("cron expression %q: %w", expr, err)
	}
	if loc == nil {
		loc = time.Local
	}
	return &Job{r: newRunner(a, "cron "+expr, handler), s: cronSchedule{sched: sched, loc: loc}}, nil
}

// NewDaily creates a job that runs every day at clock ("HH:MM" or
// "HH:MM:SS", 24-hour) in the time zone loc (nil means local time). On a day
// when that time does not exist (a DST gap) it runs at the first moment
// after; on a day when it occurs twice it runs once.
func NewDaily(a *app.Application, clock string, loc *time.Location, handler Handler) (*Job, error) {
	d, err := parseClock(clock)
	if err != nil {
		return nil, err
	}
	if loc == nil {
		loc = time.Local
	}
	return &Job{r: newRunner(a, "daily "+clock, handler), s: daily{hour: d[0], min: d[1], sec: d[2], loc: loc}}, nil
}

// Start starts the job; ErrStarted when it already is.
func (j *Job) Start() error { return j.r.start(j.s) }

// Stop stops the job; a running handler's context is cancelled.
func (j *Job) Stop() { j.r.stop() }

// IsStarted reports whether the job is started.
func (j *Job) IsStarted() bool { return j.r.isStarted() }

// Next returns the first run time after t.
func (j *Job) Next(t time.Time) time.Time { return j.s.next(t, t) }

// Close stops the job and detaches it from the application's stop! message.
func (j *Job) Close() { j.r.close() }

type cronSchedule struct {
	sched cron.Schedule
	loc   *time.Location
}

func (c cronSchedule) first(now time.Time) time.Time { return c.sched.Next(now.In(c.loc)) }

func (c cronSchedule) next(_, after time.Time) time.Time { return c.sched.Next(after.In(c.loc)) }

func (cronSchedule) repeats() bool { return true }

type daily struct {
	hour, min, sec int
	loc            *time.Location
}

func (d daily) first(now time.Time) time.Time { return d.next(now, now) }

// next is the first day's clock time strictly after after. time.Date
// normalizes a time inside a DST gap forward, which is the documented rule.
func (d daily) next(_, after time.Time) time.Time {
	local := after.In(d.loc)
	for day := 0; ; day++ {
		t := time.Date(local.Year(), local.Month(), local.Day()+day, d.hour, d.min, d.sec, 0, d.loc)
		if t.After(after) {
			return t
		}
	}
}

func (daily) repeats() bool { return true }

// parseClock reads "HH:MM" or "HH:MM:SS".
func parseClock(clock string) ([3]int, error) {
	var out [3]int
	parts := strings.Split(strings.TrimSpace(clock), ":")
	if len(parts) < 2 || len(parts) > 3 {
		return out, fmt.Errorf("daily time %q: want HH:MM or HH:MM:SS", clock)
	}
	limits := [3]int{23, 59, 59}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n > limits[i] || len(p) == 0 || len(p) > 2 || p[0] < '0' || p[0] > '9' {
			return out, fmt.Errorf("daily time %q: bad field %q", clock, p)
		}
		out[i] = n
	}
	return out, nil
}
