package pubsub

import "strconv"

// Well-known message types published by the application.
const (
	// Init is published at the start of init-time.
	Init = "Application.init!"
	// Run is published when run-time begins.
	Run = "Application.run!"
	// Stop is published each time a stop is requested; its first argument is
	// the stop counter (1 for the first request).
	Stop = "Application.stop!"
	// Exit is published when exit-time begins.
	Exit = "Application.exit!"
	// Hup is published when the process receives SIGHUP.
	Hup = "Application.hup!"
	// Reload is published when a live reconfiguration (SIGHUP) has replaced
	// the configuration, before the services' Reload methods run; its first
	// argument is a []string of the sections that changed (possibly empty).
	Reload = "Application.reload!"
	// Tick is published every [general] tick_period seconds.
	Tick = "Application.tick!"
)

// The periodic tick series: TickNNN is published every NNN ticks.
const (
	Tick10    = "Application.tick/10!"
	Tick60    = "Application.tick/60!"
	Tick300   = "Application.tick/300!"
	Tick600   = "Application.tick/600!"
	Tick1800  = "Application.tick/1800!"
	Tick3600  = "Application.tick/3600!"
	Tick43200 = "Application.tick/43200!"
	Tick86400 = "Application.tick/86400!"
)

// TickPeriods lists the tick counts n for which the application publishes
// TickN(n), in ascending order. It is an array, so ranging over it or passing
// it around copies it; TickN does not depend on it.
var TickPeriods = [...]int{10, 60, 300, 600, 1800, 3600, 43200, 86400}

// TickN returns the message type published every n ticks,
// "Application.tick/<n>!". For the periods in TickPeriods it returns a
// constant and does not allocate.
func TickN(n int) string {
	switch n {
	case 10:
		return Tick10
	case 60:
		return Tick60
	case 300:
		return Tick300
	case 600:
		return Tick600
	case 1800:
		return Tick1800
	case 3600:
		return Tick3600
	case 43200:
		return Tick43200
	case 86400:
		return Tick86400
	}
	return "Application.tick/" + strconv.Itoa(n) + "!"
}
