package app

// Phase is where an application is in its life.
type Phase int32

// The phases, in the order an application passes through them.
const (
	PhaseCreated      Phase = iota // New returned; Run not called yet
	PhaseInitializing              // init-time: logging, init!, Initialize hooks
	PhaseRunning                   // run-time: run!, Main, ticks
	PhaseStopping                  // stop requested; run-time is ending
	PhaseExiting                   // exit-time: exit!, Finalize hooks
	PhaseStopped                   // Run has returned
)

var phaseNames = [...]string{"created", "initializing", "running", "stopping", "exiting", "stopped"}

// String returns the phase's lower-case name, as the health endpoint shows it.
func (p Phase) String() string {
	if p < 0 || int(p) >= len(phaseNames) {
		return "unknown"
	}
	return phaseNames[p]
}

// Phase returns the application's current phase.
func (a *Application) Phase() Phase { return Phase(a.phase.Load()) }
