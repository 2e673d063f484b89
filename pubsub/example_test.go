package pubsub_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/asabgo/asab/pubsub"
)

func Example() {
	bus := pubsub.New()
	sub := bus.Subscribe("order.created!", func(m pubsub.Message) error {
		fmt.Println("got", m.Type, m.Args)
		return nil
	})
	bus.Publish("order.created!", 42, "books")
	sub.Unsubscribe()
	bus.Publish("order.created!", 43, "ignored")
	// Output: got order.created! [42 books]
}

// A handler's error (or panic) goes to the error handler; the other
// subscribers still get the message.
func ExampleWithErrorHandler() {
	bus := pubsub.New(pubsub.WithErrorHandler(func(msgType string, err error) {
		fmt.Printf("subscriber of %s failed: %v\n", msgType, err)
	}))
	bus.Subscribe("job!", func(pubsub.Message) error { return errors.New("disk full") })
	bus.Subscribe("job!", func(pubsub.Message) error { fmt.Println("second still runs"); return nil })
	bus.Publish("job!")
	// Output:
	// subscriber of job! failed: disk full
	// second still runs
}

// SubscribeMany subscribes a component's methods with one handle, like
// ASAB's subscribe_all.
func ExamplePubSub_SubscribeMany() {
	bus := pubsub.New()
	ticks := 0
	sub := bus.SubscribeMany(map[string]pubsub.Handler{
		pubsub.Tick: func(pubsub.Message) error { ticks++; return nil },
		pubsub.Exit: func(pubsub.Message) error { fmt.Println("exiting after", ticks, "ticks"); return nil },
	})
	defer sub.Unsubscribe()
	bus.Publish(pubsub.Tick)
	bus.Publish(pubsub.Tick)
	bus.Publish(pubsub.Exit)
	// Output: exiting after 2 ticks
}

func ExamplePubSub_PublishAsync() {
	bus := pubsub.New()
	bus.Subscribe("log!", func(m pubsub.Message) error {
		fmt.Println(m.Args[0])
		return nil
	})
	for i := range 3 {
		bus.PublishAsync("log!", i) // returns at once; order per subscriber is kept
	}
	bus.Close() // delivers what is queued, then stops the delivery goroutines
	// Output:
	// 0
	// 1
	// 2
}

func ExamplePubSub_NewSubscriber() {
	bus := pubsub.New()
	s := bus.NewSubscriber(2, pubsub.DropOldest, "a!", "b!")
	defer s.Close()
	bus.Publish("a!", 1)
	bus.Publish("b!", 2)
	bus.Publish("a!", 3) // queue full: 1 is dropped
	ctx := context.Background()
	for range 2 {
		m, _ := s.Message(ctx)
		fmt.Println(m.Type, m.Args[0])
	}
	fmt.Println("dropped:", s.Dropped())
	// Output:
	// b! 2
	// a! 3
	// dropped: 1
}

func ExamplePubSub_Message() {
	bus := pubsub.New()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err := bus.Message(ctx, "never.sent!")
	fmt.Println(err)
	// Output: pubsub: waiting for "never.sent!": context deadline exceeded
}

func ExampleTickN() {
	for _, n := range pubsub.TickPeriods[:3] {
		fmt.Println(pubsub.TickN(n))
	}
	// Output:
	// Application.tick/10!
	// Application.tick/60!
	// Application.tick/300!
}
