package amqp_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/amqp"
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
