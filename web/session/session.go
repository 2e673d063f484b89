package session

import (
	"sync"
	"time"
)

// Session is one client's session: an id and a map of values. It is safe
// for concurrent use by the requests of the same client.
type Session struct {
	id      string
	created time.Time
	expires time.Time

	mu   sync.Mutex
	data map[string]any
}

// ID returns the session id, as sent in the cookie.
func (s *Session) ID() string { return s.id }

// Created returns when the session was created.
func (s *Session) Created() time.Time { return s.created }

// Expires returns when the session expires (creation plus max_age).
func (s *Session) Expires() time.Time { return s.expires }

// Get returns the value stored under key.
func (s *Session) Get(key string) (any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.data[key]
	return v, ok
}

// Set stores a value under key.
func (s *Session) Set(key string, v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data[key] = v
}

// Delete removes the value stored under key.
func (s *Session) Delete(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.data, key)
}
