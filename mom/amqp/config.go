package amqp

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/logging"
	"github.com/asabgo/asab/mom"
	amqp091 "github.com/rabbitmq/amqp091-go"
)

// Section is the configuration section of the AMQP broker named "amqp";
// [asab:mom:amqp:NAME] sections make more AMQP brokers named NAME.
const Section = "asab:mom:amqp"

// Config configures a Broker. The zero values of the optional fields take
// the defaults named below (the same as the configuration keys').
type Config struct {
	// URL of the server, amqp:// or amqps://. Required. It carries the
	// credentials and is never logged (see RedactURL).
	URL string
	// AppName is announced to the server as the connection name. Default "asab".
	AppName string
	// ReconnectDelay is the first delay after a failed connection attempt;
	// it doubles on each further failure up to MaxReconnectDelay.
	// Defaults 1 s and 5 s.
	ReconnectDelay time.Duration
	// MaxReconnectDelay is the ceiling of that delay; a value below
	// ReconnectDelay is replaced by the larger of 5 s and ReconnectDelay.
	MaxReconnectDelay time.Duration
	// PrefetchCount is how many unacknowledged messages a subscription
	// holds, and so how many handlers run at once for it. Default 10.
	PrefetchCount int
	// Exchange is where Publish sends when PublishOptions.Exchange is ""
	// ("" = the default exchange, which delivers to the queue named target).
	Exchange string
	// ReplyExchange is where replies are published ("" = default exchange).
	ReplyExchange string
	// RequestTimeout bounds Request when its ctx has no deadline. Default 10 s.
	RequestTimeout time.Duration
	// NoConfirms turns publisher confirms off (key publisher_confirms=no):
	// Publish then returns once the message is written to the socket.
	NoConfirms bool
	// QueueType is the type of the durable queues Subscribe declares (key
	// queue_type): Classic (the default) or Quorum. Exclusive queues (an
	// exchange subscription's, reply queues) are always classic.
	QueueType QueueType
	// DeliveryLimit is the x-delivery-limit of quorum queues (key
	// delivery_limit): after that many returns a message is dead-lettered,
	// or dropped without a dead-letter exchange. 0 leaves the server's
	// default: none in RabbitMQ 3.x, 20 in 4.x.
	DeliveryLimit int
}

// QueueType is the type of a durable queue a subscription declares.
type QueueType string

// The queue types: a classic queue lives on one node; a quorum queue is
// replicated with Raft, durable by nature, and counts deliveries
// (x-delivery-count header, x-delivery-limit).
const (
	Classic QueueType = "classic"
	Quorum  QueueType = "quorum"
)

// QueueOptions are the AMQP-only properties of a subscription's queue, for
// SubscribeWith. The zero value takes the broker's Config.
type QueueOptions struct {
	// Type is the queue's type; "" is Config.QueueType.
	Type QueueType
	// DeliveryLimit is a quorum queue's x-delivery-limit; 0 is
	// Config.DeliveryLimit.
	DeliveryLimit int
}

func parseQueueType(s string) (QueueType, error) {
	switch t := QueueType(s); t {
	case "", Classic:
		return Classic, nil
	case Quorum:
		return t, nil
	}
	return "", fmt.Errorf("queue type %q is neither %q nor %q", s, Classic, Quorum)
}

func (c *Config) setDefaults() {
	if c.AppName == "" {
		c.AppName = "asab"
	}
	if c.ReconnectDelay <= 0 {
		c.ReconnectDelay = time.Second
	}
	if c.MaxReconnectDelay < c.ReconnectDelay {
		c.MaxReconnectDelay = max(5*time.Second, c.ReconnectDelay)
	}
	if c.PrefetchCount <= 0 {
		c.PrefetchCount = 10
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 10 * time.Second
	}
	if c.QueueType == "" {
		c.QueueType = Classic
	}
}

// Module is the application module of MOM with AMQP: it registers
// "asab.MOMService" (like mom.Module, which it replaces) and makes an AMQP
// broker for every [asab:mom:amqp] section that has a url. Without a url
// the in-process broker stays the default.
func Module(a *app.Application) (any, error) {
	return mom.ModuleWith(mom.WithBrokerKind("amqp", FromConfig))(a)
}

// Settings are the keys of an [asab:mom:amqp] section (and of
// [asab:mom:amqp:NAME]), decoded by [config.Decode]; their tags hold the
// section's only defaults. docs/mom.md lists them.
type Settings struct {
	// URL is the server URL; empty: no broker. Never logged.
	URL string `ini:"url" doc:"amqp:// or amqps:// URL; empty: no broker"`
	// AppName is the connection name shown by RabbitMQ.
	AppName string `ini:"appname" default:"asab" doc:"connection name; consumer tag prefix"`
	// ReconnectDelay is Config.ReconnectDelay.
	ReconnectDelay time.Duration `ini:"reconnect_delay" default:"1s" min:"0" doc:"first delay after a failed connection attempt"`
	// MaxReconnectDelay is Config.MaxReconnectDelay.
	MaxReconnectDelay time.Duration `ini:"max_reconnect_delay" default:"5s" min:"0" doc:"the backoff's ceiling"`
	// PrefetchCount is Config.PrefetchCount.
	PrefetchCount int `ini:"prefetch_count" default:"10" min:"1" max:"65535" doc:"unacknowledged messages per subscription"`
	// Exchange is Config.Exchange.
	Exchange string `ini:"exchange" doc:"where Publish sends by default"`
	// ReplyExchange is Config.ReplyExchange.
	ReplyExchange string `ini:"reply_exchange" doc:"where replies are published"`
	// RequestTimeout is Config.RequestTimeout.
	RequestTimeout time.Duration `ini:"request_timeout" default:"10s" min:"0" doc:"Request's timeout without a deadline"`
	// PublisherConfirms is the opposite of Config.NoConfirms.
	PublisherConfirms bool `ini:"publisher_confirms" default:"yes" doc:"Publish waits for the server's confirm"`
	// QueueType is Config.QueueType.
	QueueType string `ini:"queue_type" default:"classic" oneof:"classic quorum" doc:"type of the durable queues Subscribe declares"`
	// DeliveryLimit is Config.DeliveryLimit.
	DeliveryLimit int `ini:"delivery_limit" default:"0" min:"0" doc:"a quorum queue's x-delivery-limit"`
}

// FromConfig makes a broker from a configuration section, decoded into
// [Settings]. A section without a url yields no broker (nil, nil). A bad
// value is an error naming file:line, section, key and the quoted value; a
// key the section does not know is logged as a WARNING (logger
// asab.mom.amqp) naming its file:line and the known keys.
func FromConfig(cfg *config.Config, sec string) (mom.Broker, error) {
	var set Settings
	if err := config.Decode(cfg, sec, &set); err != nil {
		return nil, err // an unresolved ${...} must not skip the broker
	}
	unknown, err := config.Unknown(cfg, sec, &set)
	if err != nil {
		return nil, err
	}
	for _, u := range unknown {
		logging.Get("asab.mom.amqp").Warning().Msg(u.String())
	}
	if set.URL == "" {
		return nil, nil
	}
	c := Config{URL: set.URL, AppName: set.AppName, Exchange: set.Exchange, ReplyExchange: set.ReplyExchange,
		ReconnectDelay: set.ReconnectDelay, MaxReconnectDelay: set.MaxReconnectDelay,
		RequestTimeout: set.RequestTimeout, PrefetchCount: set.PrefetchCount,
		NoConfirms: !set.PublisherConfirms, QueueType: QueueType(set.QueueType), DeliveryLimit: set.DeliveryLimit}
	b, err := New(c)
	if err != nil {
		return nil, fmt.Errorf("[%s] url: %w", sec, err)
	}
	return b, nil
}

// RedactURL returns the URL without its user name and password, for logs
// and errors; a URL that does not parse is replaced by a placeholder.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<unparsable url>"
	}
	u.User = nil
	return u.String()
}

// checkURL validates raw without ever quoting it back (url.Parse errors
// include the whole URL, password and all).
func checkURL(raw string) error {
	if _, err := amqp091.ParseURI(raw); err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("invalid AMQP URL %s: %v", RedactURL(raw), err)
	}
	return nil
}
