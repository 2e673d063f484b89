package pubsub

import (
	"strconv"
	"testing"
)

func TestTickN(t *testing.T) {
	for _, n := range TickPeriods {
		want := "Application.tick/" + strconv.Itoa(n) + "!"
		if got := TickN(n); got != want {
			t.Errorf("TickN(%d) = %q, want %q", n, got, want)
		}
		if a := testing.AllocsPerRun(100, func() { _ = TickN(n) }); a != 0 {
			t.Errorf("TickN(%d) allocates %v times", n, a)
		}
	}
	if got := TickN(7); got != "Application.tick/7!" {
		t.Errorf("TickN(7) = %q", got)
	}
}

func TestWellKnownNames(t *testing.T) {
	for got, want := range map[string]string{
		Init: "Application.init!", Run: "Application.run!", Stop: "Application.stop!",
		Exit: "Application.exit!", Hup: "Application.hup!", Tick: "Application.tick!",
	} {
		if got != want {
			t.Errorf("constant %q, want %q", got, want)
		}
	}
}
