package nats

import (
	"fmt"
	"strings"

	"github.com/asabgo/asab/mom"
	natsgo "github.com/nats-io/nats.go"
)

// The headers that carry the contract's message properties; the other
// headers of a message are its application headers.
const (
	hdrContentType     = "Content-Type"
	hdrContentEncoding = "Content-Encoding"
	hdrCorrelationID   = "Asab-Correlation-Id"
	hdrReplyTo         = "Asab-Reply-To"
	hdrExchange        = "Asab-Exchange"
	hdrPersistent      = "Asab-Persistent"
)

// encodeHeaders turns a message's properties and application headers into
// NATS headers; header values are sent as text (fmt.Sprint).
func encodeHeaders(o mom.PublishOptions) natsgo.Header {
	h := make(natsgo.Header, len(o.Headers)+4)
	for k, v := range o.Headers {
		h.Set(k, fmt.Sprint(v))
	}
	set := func(k, v string) {
		if v != "" {
			h.Set(k, v)
		}
	}
	set(hdrContentType, o.ContentType)
	set(hdrContentEncoding, o.ContentEncoding)
	set(hdrCorrelationID, o.CorrelationID)
	set(hdrReplyTo, o.ReplyTo)
	set(hdrExchange, o.Exchange)
	if o.Persistent {
		h.Set(hdrPersistent, "true")
	}
	return h
}

// decode makes the contract's message of a NATS message: the exchange
// comes from its header and the target is the subject without the
// exchange's prefix.
func decode(subject string, data []byte, h natsgo.Header) *mom.Message {
	m := &mom.Message{Body: data, Target: subject, Exchange: h.Get(hdrExchange), ContentType: h.Get(hdrContentType),
		ContentEncoding: h.Get(hdrContentEncoding), CorrelationID: h.Get(hdrCorrelationID), ReplyTo: h.Get(hdrReplyTo),
		Persistent: h.Get(hdrPersistent) == "true"}
	if m.Exchange != "" {
		m.Target = strings.TrimPrefix(subject, m.Exchange+".")
	}
	for k, vs := range h {
		if len(vs) == 0 || reserved(k) {
			continue
		}
		if m.Headers == nil {
			m.Headers = make(map[string]any, len(h))
		}
		m.Headers[k] = vs[0]
	}
	return m
}

func reserved(k string) bool {
	switch k {
	case hdrContentType, hdrContentEncoding, hdrCorrelationID, hdrReplyTo, hdrExchange, hdrPersistent:
		return true
	}
	return strings.HasPrefix(k, "Nats-")
}

// options returns the publish options that send m on again, as a dead
// letter: its properties and headers, without ReplyTo (a dead letter is
// not a request).
func options(m *mom.Message) mom.PublishOptions {
	return mom.PublishOptions{ContentType: m.ContentType, ContentEncoding: m.ContentEncoding,
		CorrelationID: m.CorrelationID, Headers: m.Headers, Persistent: m.Persistent}
}
