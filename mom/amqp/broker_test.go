package amqp_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/amqp"
	amqp091 "github.com/rabbitmq/amqp091-go"
)

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"amqp://user:s3cret@host:5672/vh": "amqp://host:5672/vh",
		"amqps://host/":                   "amqps://host/",
		"amqp://%zz:pw@host/":             "<unparsable url>",
	} {
		if got := amqp.RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewNeverQuotesTheCredentials(t *testing.T) {
	for _, bad := range []string{"http://u:s3cret@host/", "amqp://u:s3cret@host:port/", "amqp://u:s3cret @host/"} {
		_, err := amqp.New(amqp.Config{URL: bad})
		if err == nil {
			t.Errorf("New accepted %q", bad)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("error for %q shows the password: %v", bad, err)
		}
	}
}

func TestFromConfig(t *testing.T) {
	cases := []struct{ conf, want string }{
		{"[asab:mom:amqp]\nurl = amqp://h/\nprefetch_count = 0\n", "prefetch_count"},
		{"[asab:mom:amqp]\nurl = amqp://h/\nreconnect_delay = later\n", "reconnect_delay"},
		{"[asab:mom:amqp]\nurl = amqp://h/\npublisher_confirms = maybe\n", "publisher_confirms"},
		{"[asab:mom:amqp]\nurl = ftp://u:s3cret@h/\n", "url"},
	}
	for _, c := range cases {
		cfg := config.New()
		if err := cfg.LoadString("t.conf", c.conf); err != nil {
			t.Fatal(err)
		}
		_, err := amqp.FromConfig(cfg, amqp.Section)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("config %q: error %v, want one naming %q without the password", c.conf, err, c.want)
		}
	}
	cfg := config.New()
	if err := cfg.LoadString("t.conf", "[asab:mom:amqp]\nappname = x\n"); err != nil {
		t.Fatal(err)
	}
	if b, err := amqp.FromConfig(cfg, amqp.Section); b != nil || err != nil {
		t.Errorf("a section without url made %v, %v; want no broker", b, err)
	}
}

// TestPublishWaitsForTheFirstConnection: a broker started against a port
// with no server keeps trying; Publish waits, bounded by its context.
func TestPublishWaitsForTheFirstConnection(t *testing.T) {
	b, err := amqp.New(amqp.Config{URL: "amqp://guest:guest@127.0.0.1:1/", ReconnectDelay: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err = b.Publish(ctx, []byte("x"), "q", mom.PublishOptions{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("publish without a server = %v, want DeadlineExceeded", err)
	}
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestDeletedQueueIsRestored: the server cancels the consumer of a deleted
// queue; the broker reconnects and declares and consumes it again.
func TestDeletedQueueIsRestored(t *testing.T) {
	needServer(t)
	b := newBroker(t, amqp.Config{ReconnectDelay: 100 * time.Millisecond})
	q := unique("asab.test.deleted")
	deleteLater(t, q, "")
	got := make(chan struct{}, 100)
	_ = b.Add(q, func(context.Context, *mom.Message) ([]byte, error) { got <- struct{}{}; return nil, nil })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := b.Subscribe(ctx, q, mom.SubscribeOptions{}); err != nil {
		t.Fatal(err)
	}
	conn, err := amqp091.Dial(testURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ch.QueueDelete(q, false, false, false); err != nil {
		t.Fatal(err)
	}
	for {
		if err := b.Publish(ctx, []byte("again"), q, mom.PublishOptions{}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-got:
			return
		case <-time.After(200 * time.Millisecond):
		case <-ctx.Done():
			t.Fatal("the deleted queue was not restored")
		}
	}
}

// TestModuleWithAMQP: one config line makes the AMQP broker the default.
func TestModuleWithAMQP(t *testing.T) {
	needServer(t)
	q := unique("asab.test.module")
	deleteLater(t, q, "")
	var reply string
	a := app.New(app.WithName("t"), app.WithArgs(),
		app.WithConfigString("[asab:mom:amqp]\nurl = "+testURL+"\n"),
		app.WithMain(func(ctx context.Context, a *app.Application) error {
			defer a.Stop()
			svc, err := app.Service[*mom.Service](a)
			if err != nil {
				return err
			}
			b := svc.Default()
			if _, ok := b.(*amqp.Broker); !ok {
				return errors.New("the default broker is not the AMQP one")
			}
			_ = b.Add(q, func(context.Context, *mom.Message) ([]byte, error) { return []byte("pong"), nil })
			if err := b.Subscribe(ctx, q, mom.SubscribeOptions{}); err != nil {
				return err
			}
			r, err := b.Request(ctx, []byte("ping"), q, mom.PublishOptions{})
			if err != nil {
				return err
			}
			reply = string(r.Body)
			return nil
		}))
	t.Cleanup(a.Release)
	if err := a.AddModule(amqp.Module); err != nil {
		t.Fatal(err)
	}
	if code := a.Run(); code != 0 || reply != "pong" {
		t.Fatalf("exit code %d, reply %q", code, reply)
	}
}

// TestPublishRefusedIsNotRetried: an error that is not a lost connection
// (here a header type AMQP cannot carry) is returned at once.
func TestPublishRefusedIsNotRetried(t *testing.T) {
	needServer(t)
	b := newBroker(t, amqp.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := b.Publish(ctx, []byte("x"), "nowhere", mom.PublishOptions{Headers: map[string]any{"bad": struct{}{}}})
	if err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("publish with a bad header = %v, want the refusal at once", err)
	}
}
