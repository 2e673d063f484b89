package health

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/asabgo/asab/app"
)

// Probe names one of the three questions.
type Probe string

// The probes, as the last element of their endpoint's path.
const (
	Live    Probe = "live"
	Ready   Probe = "ready"
	Startup Probe = "startup"
)

// PathPrefix is where Mount adds the probes: PathPrefix + "live" and so on.
const PathPrefix = "/asab/v1/health/"

// Report is a probe's answer, the body of its endpoint.
type Report struct {
	// Probe is the question answered.
	Probe Probe `json:"probe"`
	// OK is the answer: the endpoint says 200 when true, 503 when false.
	OK bool `json:"ok"`
	// Phase is the application's phase ("running", "stopping", ...).
	Phase string `json:"phase"`
	// Checks are the conditions the answer was made of, in order: the
	// application's own (phase, ticks) first, then the named checks.
	Checks []CheckReport `json:"checks"`
}

// CheckReport is one condition of a Report.
type CheckReport struct {
	// Name is the check's name: a service name, a name given to Add, or
	// "phase" and "ticks" for the application's own conditions.
	Name string `json:"name"`
	// Status is "up", "down" or "unknown" (not run yet).
	Status string `json:"status"`
	// Required says whether the check decides the answer; an
	// informative check is reported only.
	Required bool `json:"required"`
	// Since is when the status last changed; absent while unknown.
	Since *time.Time `json:"since,omitempty"`
	// Error is the last error of a check that is down.
	Error string `json:"error,omitempty"`
}

// Check answers one probe from the last results of the checks, the phase
// and the time since the last tick.
func (s *Service) Check(p Probe) Report {
	phase := s.app.Phase()
	r := Report{Probe: p, OK: true, Phase: phase.String()}
	add := func(c CheckReport, decides bool) {
		if decides && c.Status != "up" {
			r.OK = false
		}
		r.Checks = append(r.Checks, c)
	}
	status := func(ok bool) string {
		if ok {
			return "up"
		}
		return "down"
	}

	switch p {
	case Startup:
		add(CheckReport{Name: "phase", Required: true, Status: status(phase >= app.PhaseRunning)}, true)
		return r
	case Ready:
		add(CheckReport{Name: "phase", Required: true, Status: status(phase == app.PhaseRunning)}, true)
	case Live:
		age := time.Since(time.Unix(0, s.lastTick.Load()))
		c := CheckReport{Name: "ticks", Required: true, Status: status(phase != app.PhaseRunning || age < s.stall)}
		if c.Status == "down" {
			c.Error = "no tick for " + age.Round(time.Millisecond).String()
		}
		add(c, true)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.checks {
		cr := CheckReport{Name: c.name, Required: c.required, Status: "unknown"}
		if c.checked {
			since := c.since
			cr.Status, cr.Since = status(c.err == nil), &since
			if c.err != nil {
				cr.Error = c.err.Error()
			}
		}
		decides := c.required
		if p == Live {
			// Liveness fails only on a check that reports itself broken;
			// a dependency that is down is a readiness matter.
			decides = c.checked && IsBroken(c.err)
		}
		add(cr, decides)
	}
	return r
}

// Handler returns the HTTP handler of one probe: 200 or 503 with the
// Report as JSON. Use it to serve a probe on a listener of your own.
func (s *Service) Handler(p Probe) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		r := s.Check(p)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if r.OK {
			w.WriteHeader(http.StatusOK)
		} else {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w).Encode(r)
	})
}

// Mount adds the three probes to e under PathPrefix. Initialize mounts them
// on every registered web container; call Mount for a container that is not
// registered.
func (s *Service) Mount(e *echo.Echo) {
	for _, p := range []Probe{Live, Ready, Startup} {
		e.GET(PathPrefix+string(p), echo.WrapHandler(s.Handler(p)))
	}
}
