package session

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/logging"
	"github.com/asabgo/asab/pubsub"
)

// Store keeps the sessions of one web container in memory.
type Store struct {
	maxAge time.Duration
	cookie string
	sub    *pubsub.Subscription

	mu       sync.Mutex
	sessions map[string]*Session
}

// Settings are the keys of a store's section, decoded by [config.Decode];
// docs/web.md lists them.
type Settings struct {
	// MaxAge is how long a session lives from its creation.
	MaxAge time.Duration `ini:"max_age" default:"15m" min:"1ms" doc:"lifetime from creation"`
	// CookieName is the name of the session cookie.
	CookieName string `ini:"cookie_name" default:"SESSID" doc:"cookie name"`
}

// New creates a store configured from section (see [Settings]) and
// subscribes it to Application.tick/10! to sweep expired sessions. Close
// unsubscribes it. A key the section does not know is logged as a WARNING
// (logger asab.web.session) naming its file:line and the known keys. The
// section is static at a live reconfiguration: a changed key is a WARNING
// naming it, and the store keeps its value.
func New(a *app.Application, section string) (*Store, error) {
	a.ReloadStatic(section)
	var set Settings
	if err := config.Decode(a.Config(), section, &set); err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	unknown, err := config.Unknown(a.Config(), section, &set)
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	for _, u := range unknown {
		logging.Get("asab.web.session").Warning().Msg(u.String())
	}
	name := strings.TrimSpace(set.CookieName)
	if name == "" || strings.ContainsAny(name, " \t;,=\"") {
		return nil, fmt.Errorf("session: [%s] cookie_name = %q: not a valid cookie name", section, name)
	}
	st := &Store{maxAge: set.MaxAge, cookie: name, sessions: map[string]*Session{}}
	st.sub = a.PubSub().Subscribe(pubsub.TickN(10), func(pubsub.Message) error {
		st.Sweep(time.Now())
		return nil
	})
	return st, nil
}

// Close stops the periodic sweep. Sessions stay readable.
func (st *Store) Close() { st.sub.Unsubscribe() }

// MaxAge returns how long a session lives from its creation.
func (st *Store) MaxAge() time.Duration { return st.maxAge }

// CookieName returns the name of the session cookie.
func (st *Store) CookieName() string { return st.cookie }

// Len returns the number of sessions held, expired ones not yet swept
// included.
func (st *Store) Len() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.sessions)
}

// Lookup returns the unexpired session with the given id.
func (st *Store) Lookup(id string, now time.Time) (*Session, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	s, ok := st.sessions[id]
	if !ok {
		return nil, false
	}
	if !now.Before(s.expires) {
		delete(st.sessions, id)
		return nil, false
	}
	return s, true
}

// Create makes a new session with a fresh random id.
func (st *Store) Create(now time.Time) (*Session, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("session id: %w", err)
	}
	s := &Session{id: hex.EncodeToString(b[:]), created: now, expires: now.Add(st.maxAge), data: map[string]any{}}
	st.mu.Lock()
	st.sessions[s.id] = s
	st.mu.Unlock()
	return s, nil
}

// Delete removes a session (a log-out).
func (st *Store) Delete(id string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.sessions, id)
}

// Sweep removes the sessions expired at now and returns how many.
func (st *Store) Sweep(now time.Time) int {
	st.mu.Lock()
	defer st.mu.Unlock()
	n := 0
	for id, s := range st.sessions {
		if !now.Before(s.expires) {
			delete(st.sessions, id)
			n++
		}
	}
	return n
}
