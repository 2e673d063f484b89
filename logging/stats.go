package logging

// Stats are a pipeline's counters, for metrics: lines written per level
// and lines each output had to drop. Counts start at zero when the
// pipeline is built and only grow.
type Stats struct {
	// Lines counts the lines that passed the threshold and were handed to
	// the outputs, indexed by Level: Lines[LevelNotice].
	Lines [numLevels]uint64
	// Outputs lists the outputs that can lose lines (files and syslog), in
	// the order they were configured.
	Outputs []OutputStats
}

// OutputStats are the counters of one output.
type OutputStats struct {
	// Name says which output: "file:" and the path, or "syslog:" and the
	// address in URL form ("syslog:udp://127.0.0.1:514").
	Name string
	// Dropped counts the lines the output could not deliver: a full syslog
	// queue or an unreachable server, a failed file write, a line that
	// reached a closed output.
	Dropped uint64
}

// Stats returns p's counters. It is cheap (atomic loads) but allocates
// the Outputs slice; call it when metrics are scraped, not per line.
func (p *Pipeline) Stats() Stats {
	var s Stats
	for i := range s.Lines {
		s.Lines[i] = p.lines[i].Load()
	}
	for _, o := range p.outputs {
		switch o := o.(type) {
		case *fileOutput:
			s.Outputs = append(s.Outputs, OutputStats{Name: "file:" + o.path, Dropped: o.dropped.Load()})
		case *syslogOutput:
			s.Outputs = append(s.Outputs, OutputStats{Name: "syslog:" + o.addr.String(), Dropped: o.dropped.Load()})
		}
	}
	return s
}

// CurrentStats returns the counters of the current pipeline: the one the
// application's Setup built while the application runs.
func CurrentStats() Stats { return current.Load().Stats() }
