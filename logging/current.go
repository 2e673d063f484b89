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

// currentGen mirrors current.Load().gen so that Logger.Enabled needs one
// atomic load besides its own cache; it is stored after current, so a
// logger seeing a new generation finds the new pipeline.
var currentGen atomic.Uint64

// makeCurrent swaps p in as the current pipeline and returns the old one.
func makeCurrent(p *Pipeline) *Pipeline {
	prev := current.Swap(p)
	currentGen.Store(p.gen)
	return prev
}

// replaceCurrent makes next current if old still is.
func replaceCurrent(old, next *Pipeline) bool {
	if !current.CompareAndSwap(old, next) {
		return false
	}
	currentGen.Store(next.gen)
	return true
}

// generations numbers pipelines, so a Logger knows when its cached threshold
// belongs to a pipeline that is no longer current.
var generations atomic.Uint64

func init() {
	makeCurrent(defaultPipeline())
}

// defaultPipeline is what logging does before Setup and after Close: text
// lines on stderr, threshold NOTICE, colour when stderr is a terminal.
func defaultPipeline() *Pipeline {
	p := newPipeline(LevelNotice, nil, time.Now)
	p.outputs = []*output{newStreamOutput(os.Stderr, formatText, "sd", isTerminal(os.Stderr), consoleQueue)}
	return p
}
