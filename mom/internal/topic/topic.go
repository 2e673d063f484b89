// Package topic matches AMQP topic binding patterns against routing keys,
// for the brokers that route by pattern without a server doing it (the
// in-process broker, NATS subscriptions with several keys).
package topic

import "strings"

// Match reports whether an AMQP topic binding pattern matches a routing
// key: both are dot-separated words; "*" in the pattern matches exactly one
// word and "#" zero or more words.
func Match(pattern, key string) bool {
	if pattern == key {
		return true
	}
	return matchWords(strings.Split(pattern, "."), strings.Split(key, "."))
}

func matchWords(p, k []string) bool {
	for len(p) > 0 {
		switch p[0] {
		case "#":
			for i := 0; i <= len(k); i++ {
				if matchWords(p[1:], k[i:]) {
					return true
				}
			}
			return false
		case "*":
			if len(k) == 0 {
				return false
			}
		default:
			if len(k) == 0 || k[0] != p[0] {
				return false
			}
		}
		p, k = p[1:], k[1:]
	}
	return len(k) == 0
}
