package pubsub

import (
	"slices"
	"testing"
)

// ASAB (Python) skips the subscriber after one that unsubscribes itself during
// a publish. Here nobody is skipped.
func TestUnsubscribeSelfInsideCallbackSkipsNoOne(t *testing.T) {
	p := New()
	var got []string
	var self *Subscription
	p.Subscribe("x!", func(Message) error { got = append(got, "a"); return nil })
	self = p.Subscribe("x!", func(Message) error {
		got = append(got, "b")
		self.Unsubscribe()
		return nil
	})
	p.Subscribe("x!", func(Message) error { got = append(got, "c"); return nil })
	p.Subscribe("x!", func(Message) error { got = append(got, "d"); return nil })
	p.Publish("x!")
	p.Publish("x!")
	want := []string{"a", "b", "c", "d", "a", "c", "d"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// Unsubscribing an earlier subscriber during a publish does not shift the
// iteration either.
func TestUnsubscribePreviousInsideCallback(t *testing.T) {
	p := New()
	var got []string
	first := p.Subscribe("x!", func(Message) error { got = append(got, "a"); return nil })
	p.Subscribe("x!", func(Message) error { got = append(got, "b"); first.Unsubscribe(); return nil })
	p.Subscribe("x!", func(Message) error { got = append(got, "c"); return nil })
	p.Publish("x!")
	p.Publish("x!")
	if want := []string{"a", "b", "c", "b", "c"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// A subscription removed during a publish is not called afterwards, even by
// the publish already in progress; the others still are.
func TestUnsubscribeNextInsideCallback(t *testing.T) {
	p := New()
	var got []string
	var next *Subscription
	p.Subscribe("x!", func(Message) error { got = append(got, "a"); next.Unsubscribe(); return nil })
	next = p.Subscribe("x!", func(Message) error { got = append(got, "b"); return nil })
	p.Subscribe("x!", func(Message) error { got = append(got, "c"); return nil })
	p.Publish("x!")
	if want := []string{"a", "c"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// A subscription added during a publish does not receive that message, only
// later ones; and subscribing from a callback does not deadlock.
func TestSubscribeInsideCallbackGetsOnlyLaterMessages(t *testing.T) {
	p := New()
	var got []string
	added := false
	p.Subscribe("x!", func(m Message) error {
		got = append(got, "a"+m.Args[0].(string))
		if !added {
			added = true
			p.Subscribe("x!", func(m Message) error { got = append(got, "new"+m.Args[0].(string)); return nil })
		}
		return nil
	})
	p.Subscribe("x!", func(m Message) error { got = append(got, "b"+m.Args[0].(string)); return nil })
	p.Publish("x!", "1")
	p.Publish("x!", "2")
	if want := []string{"a1", "b1", "a2", "b2", "new2"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// A callback may publish (re-entrantly) and subscribe to other types.
func TestNestedPublishInsideCallback(t *testing.T) {
	p := New()
	var got []string
	p.Subscribe("outer!", func(Message) error {
		got = append(got, "outer")
		p.Subscribe("inner!", func(Message) error { got = append(got, "inner"); return nil })
		p.Publish("inner!")
		return nil
	})
	p.Publish("outer!")
	if want := []string{"outer", "inner"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
