package logging

// Stats are a pipeline's counters, for metrics: lines written per level
// and lines each output had to drop. Counts start at zero when the
// pipeline is built and only grow.
type Stats struct {
	// Lines counts the lines that passed the threshold and were handed to
	// the outputs, indexed by Level: Lines[LevelNotice].
	Lines [numLevels]uint64
	// Outputs lists the outputs, in the order they were configured.
	Outputs []OutputStats
}

// OutputStats are the counters of one output.
type OutputStats struct {
	// Name says which output: "console", "journal", "file:" and the path,
	// or "syslog:" and the address in URL form ("syslog:udp://127.0.0.1:514").
	Name string
	// Dropped counts the lines the output could not deliver: a full queue
	// (a stalled console, an unreachable server), a failed write, a line
	// that reached a closed output, lines still queued when Close gave up.
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
		s.Outputs = append(s.Outputs, OutputStats{Name: o.name, Dropped: o.dropped.Load()})
	}
	return s
}

// CurrentStats returns the counters of the current pipeline: the one the
// application's Setup built while the application runs.
func CurrentStats() Stats { return current.Load().Stats() }
