package logging

import (
	"os"
	"sync/atomic"
	"time"
)

// current is the pipeline every Logger writes to. It is the one piece of
// package-level mutable state (see the package doc): a pointer swapped
// atomically by Setup and Close, never locked on the logging path.
var current atomic.Pointer[Pipeline]

// generations numbers pipelines, so a Logger knows when its cached threshold
// belongs to a pipeline that is no longer current.
var generations atomic.Uint64

func init() {
	current.Store(defaultPipeline())
}

// defaultPipeline is what logging does before Setup and after Close: text
// lines on stderr, threshold NOTICE, colour when stderr is a terminal.
func defaultPipeline() *Pipeline {
	p := newPipeline(LevelNotice, nil, time.Now)
	p.outputs = []output{newStreamOutput(os.Stderr, formatText, "sd", isTerminal(os.Stderr))}
	return p
}
