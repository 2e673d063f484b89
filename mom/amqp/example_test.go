package amqp_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/amqp"
	amqp091 "github.com/rabbitmq/amqp091-go"
)

// A broker on the RabbitMQ server at 127.0.0.1:5672 answering a request:
// Add routes the queue's messages to the handler, Subscribe consumes the
// queue, Request publishes with confirms and waits for the reply.
func Example() {
	b, err := amqp.New(amqp.Config{URL: "amqp://guest:guest@127.0.0.1:5672/", AppName: "example"})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := b.Start(ctx); err != nil {
		fmt.Println(err)
		return
	}
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	queue := "asab.example." + hex.EncodeToString(suffix[:])
	// Deferred first, so it runs after Close: an open broker would declare
	// the queue again (it restores its subscriptions).
	defer func() { _ = exec.Command("rabbitmqctl", "-q", "delete_queue", queue).Run() }()
	defer b.Close(context.Background())

	_ = b.Add(queue, func(ctx context.Context, m *mom.Message) ([]byte, error) {
		return []byte(strings.ToUpper(string(m.Body))), nil
	})
	if err := b.Subscribe(ctx, queue, mom.SubscribeOptions{}); err != nil {
		fmt.Println(err)
		return
	}
	reply, err := b.Request(ctx, []byte("hello rabbit"), queue, mom.PublishOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(reply.Body))
	// Output: HELLO RABBIT
}

// Credentials never reach a log line: RedactURL drops the user information.
func ExampleRedactURL() {
	fmt.Println(amqp.RedactURL("amqp://app:s3cret@rabbit.internal:5672/prod"))
	// Output: amqp://rabbit.internal:5672/prod
}

// A quorum queue whose handler fails once: the retry policy delivers the
// message again after 200 ms (through the delay queue QUEUE.retry.200ms),
// and Attempt counts the deliveries. Out of attempts, the message would go
// to the dead-letter exchange with the last error in x-asab-last-error.
func ExampleBroker_SubscribeWith() {
	b, err := amqp.New(amqp.Config{URL: "amqp://guest:guest@127.0.0.1:5672/", AppName: "example"})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := b.Start(ctx); err != nil {
		fmt.Println(err)
		return
	}
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	queue := "asab.example.orders." + hex.EncodeToString(suffix[:])
	defer func() { // after Close: remove what the example declared
		conn, err := amqp091.Dial("amqp://guest:guest@127.0.0.1:5672/")
		if err != nil {
			return
		}
		defer conn.Close()
		ch, err := conn.Channel()
		if err != nil {
			return
		}
		for _, q := range []string{queue, queue + ".retry.200ms", queue + ".dead"} {
			_, _ = ch.QueueDelete(q, false, false, false)
		}
		_ = ch.ExchangeDelete(queue+".dead", false, false)
	}()
	defer b.Close(context.Background())

	done := make(chan struct{})
	_ = b.Add(queue, func(ctx context.Context, m *mom.Message) ([]byte, error) {
		fmt.Println("attempt", m.Attempt)
		if m.Attempt == 1 {
			return nil, mom.Retry(errors.New("stock service busy"))
		}
		close(done)
		return nil, nil
	})
	opts := mom.SubscribeOptions{DeadLetterExchange: queue + ".dead",
		Retry: mom.RetryPolicy{MaxAttempts: 3, InitialDelay: 200 * time.Millisecond, Factor: 2}}
	if err := b.SubscribeWith(ctx, queue, opts, amqp.QueueOptions{Type: amqp.Quorum}); err != nil {
		fmt.Println(err)
		return
	}
	if err := b.Publish(ctx, []byte("order 42"), queue, mom.PublishOptions{Persistent: true}); err != nil {
		fmt.Println(err)
		return
	}
	select {
	case <-done:
	case <-ctx.Done():
		fmt.Println("not delivered again")
	}
	// Output:
	// attempt 1
	// attempt 2
}
