package nats

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/logging"
	"github.com/asabgo/asab/mom"
	"github.com/nats-io/nats.go/jetstream"
)

// Section is the configuration section of the NATS broker named "nats";
// [asab:mom:nats:NAME] sections make more NATS brokers named NAME.
const Section = "asab:mom:nats"

// Config configures a Broker. The zero values of the optional fields take
// the defaults named below (the same as the configuration keys').
type Config struct {
	// URL of the server, nats:// or tls://; several comma-separated URLs
	// name the servers of a cluster. Required. Credentials in it are never
	// logged (see RedactURL).
	URL string
	// Name is announced to the server as the connection name. Default "asab".
	Name string
	// Stream is the JetStream stream every message is stored in; it is
	// created when missing (an existing one is used as it is). Default "ASAB".
	Stream string
	// Subjects are the stream's subjects when it is created: every target
	// (default exchange) and every exchange's subjects must fall under them.
	// Default "asab.>".
	Subjects []string
	// Storage of a created stream: jetstream.FileStorage (the default) or
	// jetstream.MemoryStorage.
	Storage jetstream.StorageType
	// Retention of a created stream: jetstream.LimitsPolicy (the default),
	// jetstream.InterestPolicy or jetstream.WorkQueuePolicy.
	Retention jetstream.RetentionPolicy
	// MaxAge bounds how long a created stream keeps a message; 0 keeps it
	// until the stream's other limits remove it.
	MaxAge time.Duration
	// Durable prefixes the durable consumer names: a subscription to queue
	// Q consumes with the durable consumer named Durable + "_" + Q (dots and
	// wildcards replaced by "_"), shared by every instance with the same
	// names. Default "asab".
	Durable string
	// AckWait is how long the server waits for an acknowledgement before it
	// delivers the message again. Default 30 s.
	AckWait time.Duration
	// MaxDeliver caps the deliveries of a message by the server; 0 takes
	// the subscription's RetryPolicy.MaxAttempts, or no cap without one.
	MaxDeliver int
	// MaxAckPending is how many unacknowledged messages a subscription
	// holds, and so how many handlers run at once for it. Default 10.
	MaxAckPending int
	// BackOff are the server's redelivery delays after ack timeouts (a
	// handler that never answered, a process that died); empty uses
	// AckWait every time. The server requires MaxDeliver above its length.
	BackOff []time.Duration
	// CredentialsFile is a NATS credentials file (JWT and NKey seed).
	CredentialsFile string
	// Token authenticates with a token; never logged.
	Token string
	// DeadLetterExchange is the dead-letter destination of subscriptions
	// that set no SubscribeOptions.DeadLetterExchange: rejected and
	// exhausted messages are published to subject DeadLetterExchange + "." +
	// target. "" dead-letters nothing by default.
	DeadLetterExchange string
	// Exchange is where Publish sends when PublishOptions.Exchange is "".
	Exchange string
	// RequestTimeout bounds Request when its ctx has no deadline. Default 10 s.
	RequestTimeout time.Duration
	// ReconnectWait is the wait between reconnection attempts. Default 1 s.
	ReconnectWait time.Duration
	// Deduplicate sends every publish with a unique message id
	// (Nats-Msg-Id), so that the server drops the copies a publish sent
	// again after a lost PubAck would store. It costs publish throughput
	// (the server tracks the ids in its duplicate window); without it such
	// a publish may be stored twice, which at-least-once consumers handle
	// anyway.
	Deduplicate bool
}

func (c *Config) setDefaults() {
	if c.Name == "" {
		c.Name = "asab"
	}
	if c.Stream == "" {
		c.Stream = "ASAB"
	}
	if len(c.Subjects) == 0 {
		c.Subjects = []string{"asab.>"}
	}
	if c.Durable == "" {
		c.Durable = "asab"
	}
	if c.AckWait <= 0 {
		c.AckWait = 30 * time.Second
	}
	if c.MaxAckPending <= 0 {
		c.MaxAckPending = 10
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 10 * time.Second
	}
	if c.ReconnectWait <= 0 {
		c.ReconnectWait = time.Second
	}
}

// Module is the application module of MOM with NATS: it registers
// "asab.MOMService" (like mom.Module, which it replaces) and makes a NATS
// broker for every [asab:mom:nats] section that has a url. To have AMQP
// brokers too, use mom.ModuleWith with a WithBrokerKind for each.
func Module(a *app.Application) (any, error) {
	return mom.ModuleWith(mom.WithBrokerKind("nats", FromConfig))(a)
}

// Settings are the keys of an [asab:mom:nats] section.
type Settings struct {
	// URL is the server URL (several comma-separated); empty: no broker.
	URL string `ini:"url" doc:"server URL(s), comma-separated; empty: no broker"`
	// Name is the client's connection name.
	Name string `ini:"name" default:"asab" doc:"connection name"`
	// Stream is the JetStream stream, created when missing.
	Stream string `ini:"stream" default:"ASAB" doc:"stream, created when missing"`
	// Subjects are the stream's subjects.
	Subjects []string `ini:"subjects" default:"asab.>" split:"comma" doc:"the stream's subjects"`
	// Storage is file or memory.
	Storage string `ini:"storage" default:"file" oneof:"file memory" doc:"stream storage"`
	// Retention is limits, interest or workqueue.
	Retention string `ini:"retention" default:"limits" oneof:"limits interest workqueue" doc:"stream retention"`
	// MaxAge is how long the stream keeps a message; 0: no limit.
	MaxAge time.Duration `ini:"max_age" default:"0" min:"0" doc:"stream max age; 0: none"`
	// Durable is the prefix of the durable consumers' names.
	Durable string `ini:"durable" default:"asab" doc:"durable consumer name prefix"`
	// AckWait is how long the server waits for an ack before redelivering.
	AckWait time.Duration `ini:"ack_wait" default:"30s" min:"0" doc:"ack wait"`
	// MaxDeliver caps the deliveries of a message; 0: the retry policy's attempts, or no cap.
	MaxDeliver int `ini:"max_deliver" default:"0" min:"0" doc:"delivery cap; 0: none"`
	// MaxAckPending caps the unacknowledged messages per consumer.
	MaxAckPending int `ini:"max_ack_pending" default:"10" min:"1" max:"65535" doc:"unacked messages per consumer"`
	// BackOff are the redelivery delays after ack timeouts (Go durations).
	BackOff []string `ini:"backoff" split:"comma" doc:"redelivery delays, comma-separated Go durations"`
	// Credentials is a credentials file.
	Credentials string `ini:"credentials" doc:"credentials file"`
	// Token is an authentication token.
	Token string `ini:"token" doc:"token"`
	// DeadLetterExchange is where rejected and exhausted messages go.
	DeadLetterExchange string `ini:"dead_letter_exchange" doc:"dead-letter subject prefix"`
	// Exchange is the default exchange (subject prefix) of publishes.
	Exchange string `ini:"exchange" doc:"subject prefix of publishes"`
	// RequestTimeout bounds a Request without a deadline.
	RequestTimeout time.Duration `ini:"request_timeout" default:"10s" min:"0" doc:"request timeout"`
	// ReconnectWait is the pause between reconnection attempts.
	ReconnectWait time.Duration `ini:"reconnect_wait" default:"1s" min:"0" doc:"pause between reconnects"`
	// Deduplicate sends a message id with each publish.
	Deduplicate bool `ini:"deduplicate" default:"no" doc:"message-id deduplication"`
}

// FromConfig makes a broker from a configuration section, decoded into
// Settings (see there for the keys). A section without a url yields no
// broker (nil, nil).
func FromConfig(cfg *config.Config, sec string) (mom.Broker, error) {
	var set Settings
	if err := config.Decode(cfg, sec, &set); err != nil {
		return nil, err
	}
	if set.URL == "" {
		return nil, nil
	}
	c := Config{URL: set.URL, Name: set.Name, Stream: set.Stream, Subjects: set.Subjects,
		Durable: set.Durable, CredentialsFile: set.Credentials, Token: set.Token,
		DeadLetterExchange: set.DeadLetterExchange, Exchange: set.Exchange,
		MaxAge: set.MaxAge, AckWait: set.AckWait, RequestTimeout: set.RequestTimeout, ReconnectWait: set.ReconnectWait,
		MaxDeliver: set.MaxDeliver, MaxAckPending: set.MaxAckPending, Deduplicate: set.Deduplicate}
	c.Storage = map[string]jetstream.StorageType{"file": jetstream.FileStorage, "memory": jetstream.MemoryStorage}[set.Storage]
	c.Retention = map[string]jetstream.RetentionPolicy{"limits": jetstream.LimitsPolicy,
		"interest": jetstream.InterestPolicy, "workqueue": jetstream.WorkQueuePolicy}[set.Retention]
	for _, s := range set.BackOff {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("[%s] backoff: %q is not a positive duration", sec, s)
		}
		c.BackOff = append(c.BackOff, d)
	}
	unknown, err := config.Unknown(cfg, sec, &set)
	if err != nil {
		return nil, err
	}
	for _, u := range unknown {
		logging.Get("asab.mom.nats").Warning().Msg(u.String())
	}
	b, err := New(c)
	if err != nil {
		return nil, fmt.Errorf("[%s] %w", sec, err)
	}
	return b, nil
}

// RedactURL returns the server URLs without user names, passwords and
// tokens, for logs and errors; a URL that does not parse is replaced by a
// placeholder.
func RedactURL(raw string) string {
	parts := strings.Split(raw, ",")
	for i, p := range parts {
		u, err := url.Parse(strings.TrimSpace(p))
		if err != nil || u.Host == "" {
			parts[i] = "<unparsable url>"
			continue
		}
		u.User = nil
		parts[i] = u.String()
	}
	return strings.Join(parts, ",")
}

// checkConfig validates what New cannot leave to the server; it never
// quotes the URL back whole.
func checkConfig(c Config) error {
	for _, p := range strings.Split(c.URL, ",") {
		u, err := url.Parse(strings.TrimSpace(p))
		if err != nil || u.Host == "" {
			return fmt.Errorf("url: invalid NATS URL %s", RedactURL(p))
		}
		switch u.Scheme {
		case "nats", "tls", "ws", "wss":
		default:
			return fmt.Errorf("url: %s: scheme %q is not nats, tls, ws or wss", RedactURL(p), u.Scheme)
		}
	}
	if strings.ContainsAny(c.Stream, " .*>") {
		return fmt.Errorf("stream: %q must not contain spaces, dots or wildcards", c.Stream)
	}
	if strings.ContainsAny(c.Durable, " .*>") {
		return fmt.Errorf("durable: %q must not contain spaces, dots or wildcards", c.Durable)
	}
	if len(c.BackOff) > 0 && c.MaxDeliver > 0 && c.MaxDeliver <= len(c.BackOff) {
		return fmt.Errorf("max_deliver: %d must be above the number of backoff delays (%d)", c.MaxDeliver, len(c.BackOff))
	}
	return nil
}
