package nats

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/config"
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
// brokers too, use mom.NewModule with both FromConfig functions.
func Module(a *app.Application) (any, error) {
	return mom.NewModule(map[string]mom.BrokerFactory{"nats": FromConfig})(a)
}

// FromConfig makes a broker from a configuration section. Keys: url, name,
// stream, subjects (comma-separated), storage (file, memory), retention
// (limits, interest, workqueue), max_age, durable, ack_wait, max_deliver,
// max_ack_pending, backoff (comma-separated durations), credentials, token,
// dead_letter_exchange, exchange, request_timeout, reconnect_wait,
// deduplicate (a boolean, default no). A
// section without a url yields no broker (nil, nil).
func FromConfig(cfg *config.Config, sec string) (mom.Broker, error) {
	raw := cfg.GetOr(sec, "url", "")
	if raw == "" {
		return nil, nil
	}
	c := Config{URL: raw, Name: cfg.GetOr(sec, "name", "asab"), Stream: cfg.GetOr(sec, "stream", "ASAB"),
		Durable: cfg.GetOr(sec, "durable", "asab"), CredentialsFile: cfg.GetOr(sec, "credentials", ""),
		Token: cfg.GetOr(sec, "token", ""), DeadLetterExchange: cfg.GetOr(sec, "dead_letter_exchange", ""),
		Exchange: cfg.GetOr(sec, "exchange", "")}
	c.Subjects = splitList(cfg.GetOr(sec, "subjects", "asab.>"))
	var err error
	switch v := cfg.GetOr(sec, "storage", "file"); v {
	case "file":
		c.Storage = jetstream.FileStorage
	case "memory":
		c.Storage = jetstream.MemoryStorage
	default:
		return nil, fmt.Errorf("[%s] storage: %q is neither file nor memory", sec, v)
	}
	switch v := cfg.GetOr(sec, "retention", "limits"); v {
	case "limits":
		c.Retention = jetstream.LimitsPolicy
	case "interest":
		c.Retention = jetstream.InterestPolicy
	case "workqueue":
		c.Retention = jetstream.WorkQueuePolicy
	default:
		return nil, fmt.Errorf("[%s] retention: %q is not limits, interest or workqueue", sec, v)
	}
	durations := []struct {
		key string
		to  *time.Duration
		def time.Duration
	}{{"max_age", &c.MaxAge, 0}, {"ack_wait", &c.AckWait, 30 * time.Second},
		{"request_timeout", &c.RequestTimeout, 10 * time.Second}, {"reconnect_wait", &c.ReconnectWait, time.Second}}
	for _, d := range durations {
		if *d.to, err = cfg.GetDurationOr(sec, d.key, d.def); err != nil {
			return nil, err
		}
		if *d.to < 0 {
			return nil, fmt.Errorf("[%s] %s: %v is negative", sec, d.key, *d.to)
		}
	}
	if c.MaxDeliver, err = cfg.GetIntOr(sec, "max_deliver", 0); err != nil {
		return nil, err
	}
	if c.MaxDeliver < 0 {
		return nil, fmt.Errorf("[%s] max_deliver: %d is negative (0 means no cap)", sec, c.MaxDeliver)
	}
	if c.MaxAckPending, err = cfg.GetIntOr(sec, "max_ack_pending", 10); err != nil {
		return nil, err
	}
	if c.MaxAckPending < 1 || c.MaxAckPending > 65535 {
		return nil, fmt.Errorf("[%s] max_ack_pending: %d is not in 1..65535", sec, c.MaxAckPending)
	}
	for _, s := range splitList(cfg.GetOr(sec, "backoff", "")) {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("[%s] backoff: %q is not a positive duration", sec, s)
		}
		c.BackOff = append(c.BackOff, d)
	}
	if c.Deduplicate, err = cfg.GetBoolOr(sec, "deduplicate", false); err != nil {
		return nil, err
	}
	b, err := New(c)
	if err != nil {
		return nil, fmt.Errorf("[%s] %w", sec, err)
	}
	return b, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
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
