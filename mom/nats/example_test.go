package nats_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/nats"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// A broker on the NATS server at 127.0.0.1:4222 answering a request: the
// stream is created on first use, Subscribe consumes the queue's subject
// with a durable consumer, Request publishes (PubAck) and waits for the
// reply.
func Example() {
	var id [4]byte
	_, _ = rand.Read(id[:])
	suffix := hex.EncodeToString(id[:])
	stream, queue := "ASAB_EXAMPLE_"+suffix, "asab.example."+suffix+".upper"
	b, err := nats.New(nats.Config{URL: "nats://127.0.0.1:4222", Stream: stream,
		Subjects: []string{"asab.example." + suffix + ".>"}})
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
	defer deleteExampleStream(stream) // after Close
	defer b.Close(context.Background())

	_ = b.Add(queue, func(ctx context.Context, m *mom.Message) ([]byte, error) {
		return []byte(strings.ToUpper(string(m.Body))), nil
	})
	if err := b.Subscribe(ctx, queue, mom.SubscribeOptions{}); err != nil {
		fmt.Println(err)
		return
	}
	reply, err := b.Request(ctx, []byte("hello nats"), queue, mom.PublishOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(reply.Body))
	// Output: HELLO NATS
}

func deleteExampleStream(stream string) {
	nc, err := natsgo.Connect("nats://127.0.0.1:4222")
	if err != nil {
		return
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = js.DeleteStream(ctx, stream)
}

// The subject of a message: the target on the default exchange, the
// exchange and the target otherwise.
func ExampleSubject() {
	fmt.Println(nats.Subject("", "asab.jobs"))
	fmt.Println(nats.Subject("asab.events", "orders.created"))
	// Output:
	// asab.jobs
	// asab.events.orders.created
}

// Credentials never reach a log line: RedactURL drops the user information
// (a token is user information too).
func ExampleRedactURL() {
	fmt.Println(nats.RedactURL("nats://app:s3cret@nats1.internal:4222,nats://tok3n@nats2.internal:4222"))
	// Output: nats://nats1.internal:4222,nats://nats2.internal:4222
}
