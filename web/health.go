package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/asabgo/asab/app"
)

// Health is the body of the health endpoint.
type Health struct {
	// Phase is the application's phase: "running", "stopping", ...
	Phase string `json:"phase"`
	// Uptime is the time since the application started, in seconds.
	Uptime float64 `json:"uptime"`
}

// health answers 200 with the phase and uptime while the application runs,
// and 503 with the same body in every other phase (starting, stopping).
func (c *Container) health(ec echo.Context) error {
	phase := c.app.Phase()
	h := Health{Phase: phase.String()}
	if st := c.app.StartTime(); !st.IsZero() {
		h.Uptime = time.Since(st).Seconds()
	}
	status := http.StatusOK
	if phase != app.PhaseRunning {
		status = http.StatusServiceUnavailable
	}
	return ec.JSON(status, h)
}
