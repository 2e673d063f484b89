package logging

import "testing"

// TestLevelCacheFollowsPipeline: the level methods' cached "filtered out"
// answer belongs to one pipeline; a logger that had DEBUG filtered out
// must log DEBUG once a DEBUG pipeline is current, and stop again after.
func TestLevelCacheFollowsPipeline(t *testing.T) {
	c := &captureSink{}
	var prev *Pipeline
	mk := func(root Level) *Pipeline {
		if prev != nil {
			prev.Flush() // its lines first
		}
		prev = newPipeline(root, nil, fixedClock)
		prev.setOutputs([]*output{newOutput("capture", renderer{format: formatText, sdID: "sd"}, c, 100)})
		return prev
	}
	L := Get("cache")
	use(t, mk(LevelNotice))
	L.Debug().Msg("1 filtered")
	L.Info().Msg("2 filtered")
	L.Notice().Msg("3 shown")
	use(t, mk(LevelDebug))
	L.Debug().Msg("4 shown")
	L.Info().Msg("5 shown")
	use(t, mk(LevelWarning))
	L.Debug().Msg("6 filtered")
	L.Notice().Msg("7 filtered")
	L.Warning().Msg("8 shown")
	if !L.Enabled(LevelError) || L.Enabled(LevelNotice) {
		t.Error("Enabled disagrees with the WARNING pipeline")
	}
	want := []string{"3 shown", "4 shown", "5 shown", "8 shown"}
	prev.Flush()
	if len(c.lines) != len(want) {
		t.Fatalf("lines %q, want %q", c.lines, want)
	}
	for i, w := range want {
		if got := c.lines[i]; got[len(got)-len(w)-1:len(got)-1] != w {
			t.Errorf("line %d = %q, want it to end with %q", i, got, w)
		}
	}
}
