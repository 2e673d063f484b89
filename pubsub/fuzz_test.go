package pubsub

import (
	"fmt"
	"slices"
	"testing"
)

// The fuzz test drives a random sequence of subscribe, unsubscribe and publish
// operations (including subscribing and unsubscribing from inside handlers)
// against a PubSub and against a simple model of the documented semantics:
// a publish delivers to the subscribers present when it starts, in
// subscription order, skipping those unsubscribed meanwhile.

const fuzzTypes = 3

type fuzzAction struct {
	kind   byte // 0 none, 1 unsubscribe id target if it exists, 2 subscribe a plain handler to typ
	target int
	typ    int
}

type modelSub struct {
	typ    int
	action fuzzAction
	fired  bool
	active bool
}

type fuzzWorld struct {
	p       *PubSub
	names   [fuzzTypes]string
	model   []*modelSub     // by id
	handles []*Subscription // by id
	ids     map[*entry]int
	log     []int
	// published counts the publishes per type, for Published.
	published [fuzzTypes]uint64
}

func (w *fuzzWorld) modelAdd(typ int, a fuzzAction) {
	w.model = append(w.model, &modelSub{typ: typ, action: a, active: true})
}

// realAdd subscribes handler id (the next one) for real.
func (w *fuzzWorld) realAdd(typ int, a fuzzAction) {
	id := len(w.handles)
	fired := false
	s := w.p.Subscribe(w.names[typ], func(Message) error {
		w.log = append(w.log, id)
		if fired || a.kind == 0 {
			return nil
		}
		fired = true
		switch a.kind {
		case 1:
			if a.target < len(w.handles) {
				w.handles[a.target].Unsubscribe()
			}
		case 2:
			w.realAdd(a.typ, fuzzAction{})
		}
		return nil
	})
	w.handles = append(w.handles, s)
	w.ids[s.entries[0]] = id
}

// modelPublish returns the expected delivery log and updates the model.
func (w *fuzzWorld) modelPublish(typ int) []int {
	var snapshot, log []int
	for id, s := range w.model {
		if s.active && s.typ == typ {
			snapshot = append(snapshot, id)
		}
	}
	for _, id := range snapshot {
		s := w.model[id]
		if !s.active {
			continue
		}
		log = append(log, id)
		if s.fired || s.action.kind == 0 {
			continue
		}
		s.fired = true
		switch s.action.kind {
		case 1:
			if s.action.target < len(w.model) {
				w.model[s.action.target].active = false
			}
		case 2:
			w.modelAdd(s.action.typ, fuzzAction{})
		}
	}
	return log
}

func (w *fuzzWorld) check(t *testing.T) {
	for typ, name := range w.names {
		var want, got []int
		for id, s := range w.model {
			if s.active && s.typ == typ {
				want = append(want, id)
			}
		}
		for _, e := range w.p.subscribers(name) {
			got = append(got, w.ids[e])
		}
		if !slices.Equal(got, want) {
			t.Fatalf("type %d subscribers %v, model %v", typ, got, want)
		}
	}
}

func FuzzOperations(f *testing.F) {
	f.Add([]byte{0, 8, 4, 1, 0, 4, 3, 4})
	f.Add([]byte{26, 0, 4}) // subscriber 0 unsubscribes the later subscriber 1 mid-publish
	f.Add([]byte{2, 9, 0, 1, 1, 4, 4, 12, 3, 4})
	f.Add([]byte{0, 0, 0, 1, 2, 4, 4, 4, 11, 19})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 400 {
			ops = ops[:400]
		}
		w := &fuzzWorld{p: New(), ids: map[*entry]int{}}
		for i := range w.names {
			w.names[i] = fmt.Sprintf("t%d!", i)
		}
		for i := 0; i < len(ops); i++ {
			op, arg := ops[i]%5, int(ops[i]>>3)
			typ := arg % fuzzTypes
			switch op {
			case 0, 1, 2: // subscribe with no action / unsubscribe-someone / subscribe-new
				a := fuzzAction{kind: op}
				if op == 1 {
					// Any id, resolved when the handler fires: an earlier
					// one, itself, a later one, or (none yet) nothing.
					a.target = arg / fuzzTypes
				}
				if op == 2 {
					a.typ = (arg / fuzzTypes) % fuzzTypes
				}
				w.modelAdd(typ, a)
				w.realAdd(typ, a)
			case 3: // unsubscribe (possibly again)
				if len(w.model) == 0 {
					continue
				}
				id := arg % len(w.model)
				w.model[id].active = false
				w.handles[id].Unsubscribe()
			case 4:
				want := w.modelPublish(typ)
				w.log = w.log[:0]
				w.p.Publish(w.names[typ])
				w.published[typ]++
				if !slices.Equal(w.log, want) {
					t.Fatalf("op %d publish %s delivered %v, model %v", i, w.names[typ], w.log, want)
				}
			}
			w.check(t)
		}
		counts := w.p.Published()
		for typ, name := range w.names {
			if counts[name] != w.published[typ] {
				t.Fatalf("Published()[%s] = %d, published %d times", name, counts[name], w.published[typ])
			}
		}
	})
}
