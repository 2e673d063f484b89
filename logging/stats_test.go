package logging

import (
	"context"
	"path/filepath"
	"testing"
)

func TestStatsCountsLinesPerLevel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.log")
	p := setupFile(t, "[logging]\nlevels=\n  chatty DEBUG\n[logging:console]\nenabled=false\n", Options{LogFile: path})
	quiet, chatty := Get("quiet"), Get("chatty")
	for i := 0; i < 5; i++ {
		quiet.Debug().Msg("filtered out: not counted")
		quiet.Info().Msg("filtered out: not counted")
		chatty.Debug().Msg("counted")
	}
	for i := 0; i < 3; i++ {
		quiet.Notice().Int("i", i).Msg("counted")
	}
	quiet.Warning().Msg("w")
	quiet.Error().Msg("e")
	quiet.Error().Msg("e")
	chatty.Critical().Msg("c")
	want := [numLevels]uint64{LevelDebug: 5, LevelNotice: 3, LevelWarning: 1, LevelError: 2, LevelCritical: 1}
	st := p.Stats()
	if st.Lines != want {
		t.Errorf("Lines = %v, want %v", st.Lines, want)
	}
	if CurrentStats().Lines != want {
		t.Errorf("CurrentStats().Lines = %v, want %v", CurrentStats().Lines, want)
	}
	if len(st.Outputs) != 1 || st.Outputs[0].Name != "file:"+path || st.Outputs[0].Dropped != 0 {
		t.Errorf("Outputs = %+v, want one file output with nothing dropped", st.Outputs)
	}
}

// TestStatsFileDropped: a line that reaches a file output after Close (as
// a writer that took the pipeline just before Close can) is counted.
func TestStatsFileDropped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.log")
	p := setupFile(t, "[logging:console]\nenabled=false\n", Options{LogFile: path})
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	p.write(LevelNotice, "late", []byte(`{"message":"too late"}`))
	st := p.Stats()
	if st.Lines[LevelNotice] != 1 || len(st.Outputs) != 1 || st.Outputs[0].Dropped != 1 {
		t.Errorf("Stats = %+v, want 1 NOTICE line and 1 dropped by the file", st)
	}
}

// BenchmarkStats is what a scrape pays.
func BenchmarkStats(b *testing.B) {
	p := benchPipeline(b, benchFile(b, "b.log"))
	defer p.Close(context.Background())
	b.ReportAllocs()
	for b.Loop() {
		_ = p.Stats()
	}
}
