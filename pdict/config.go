package pdict

import (
	"fmt"

	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/logging"
)

// Settings are the keys of a configuration section that describes a Dict,
// decoded by [config.Decode]:
//
//	[pdict:state]
//	path = ${general:var_dir}/state.pdict
//	compact_threshold = 4 MiB
type Settings struct {
	// Path is the dictionary's file.
	Path string `ini:"path" required:"true" doc:"the dictionary's file"`
	// CompactThreshold is Options.CompactThreshold; 0 turns automatic
	// compaction off.
	CompactThreshold int64 `ini:"compact_threshold" unit:"bytes" default:"1MiB" doc:"log size below which the log is never compacted; 0: never compact automatically"`
}

// Options returns the Options that s describes.
func (s Settings) Options() Options {
	if s.CompactThreshold == 0 {
		return Options{CompactThreshold: -1}
	}
	return Options{CompactThreshold: s.CompactThreshold}
}

// OpenSection opens the Dict that section of cfg describes (see [Settings]).
// A bad or missing value is an error naming file:line, section, key and
// value; a key the section does not know is logged as a WARNING (logger
// "asab.pdict") naming its file:line and the known keys.
func OpenSection(cfg *config.Config, section string) (*Dict, error) {
	var s Settings
	if err := config.Decode(cfg, section, &s); err != nil {
		return nil, fmt.Errorf("pdict: %w", err)
	}
	unknown, err := config.Unknown(cfg, section, &s)
	if err != nil {
		return nil, fmt.Errorf("pdict: %w", err)
	}
	log := logging.Get("asab.pdict")
	for _, u := range unknown {
		log.Warning().Msg(u.String())
	}
	return OpenWithOptions(s.Path, s.Options())
}
