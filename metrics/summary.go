package metrics

import (
	"slices"
	"strings"

	"github.com/asabgo/asab/pubsub"
)

// logSummary is the Application.tick/60! handler. While [asab:metrics]
// log_every_minute is on (it changes at run time, see Reload) it logs one
// NOTICE line per metric family (so that the summary asked for shows at the
// default level) with each sample's value as a field (histograms and
// summaries as their _count and _sum). The Go runtime and process families are left out; scrape them.
func (s *Service) logSummary(pubsub.Message) error {
	if !s.logMinute.Load() {
		return nil
	}
	fams, err := s.Families()
	if err != nil {
		s.log.Warning().Err(err).Msg("Gathering metrics for the summary")
	}
	for _, f := range fams {
		if strings.HasPrefix(f.Name, "go_") || strings.HasPrefix(f.Name, "process_") {
			continue
		}
		ev := s.log.Notice().Str("metric", f.Name).Str("type", f.Type)
		for _, smp := range f.Samples {
			if strings.HasSuffix(smp.Name, "_bucket") {
				continue
			}
			ev = ev.Float64(sampleKey(smp), float64(smp.Value))
		}
		ev.Msg("Metrics summary")
	}
	return nil
}

// sampleKey is a sample's name with its labels, as in the text format:
// name{a="x",b="y"} (labels sorted).
func sampleKey(smp Sample) string {
	if len(smp.Labels) == 0 {
		return smp.Name
	}
	keys := make([]string, 0, len(smp.Labels))
	for k := range smp.Labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString(smp.Name)
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k)
		b.WriteString(`="`)
		b.WriteString(smp.Labels[k])
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}
