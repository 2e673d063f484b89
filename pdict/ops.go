package pdict

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"unicode/utf8"
)

// Get decodes the value stored under key into out (as json.Unmarshal does)
// and reports whether the key exists. A missing key leaves out untouched.
func (d *Dict) Get(key string, out any) (bool, error) {
	raw, ok, err := d.raw(key)
	if err != nil || !ok {
		return false, err
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return true, fmt.Errorf("pdict: get %q from %s: %w", key, d.path, err)
	}
	return true, nil
}

// GetAs returns the value stored under key decoded as a T, and whether the
// key exists (the zero T when it does not).
func GetAs[T any](d *Dict, key string) (T, bool, error) {
	var v T
	ok, err := d.Get(key, &v)
	return v, ok, err
}

// Has reports whether key exists.
func (d *Dict) Has(key string) (bool, error) {
	_, ok, err := d.raw(key)
	return ok, err
}

func (d *Dict) raw(key string) (json.RawMessage, bool, error) {
	done, err := d.begin(false)
	if err != nil {
		return nil, false, fmt.Errorf("pdict: get %q from %s: %w", key, d.path, err)
	}
	defer done()
	raw, ok := d.state[key]
	return raw, ok, nil
}

// Set stores v (JSON-encoded) under key. When it returns nil the write is on
// disk (fsynced) and survives a crash.
func (d *Dict) Set(key string, v any) error {
	return d.Update(map[string]any{key: v})
}

// Update stores all pairs of m as one write: one record, one fsync, all or
// nothing after a crash. Use it to batch many Sets.
func (d *Dict) Update(m map[string]any) error {
	r := record{Set: make(map[string]json.RawMessage, len(m))}
	for k, v := range m {
		raw, err := marshal(k, v)
		if err != nil {
			return fmt.Errorf("pdict: update %s: %w", d.path, err)
		}
		r.Set[k] = raw
	}
	if len(r.Set) == 0 {
		return nil
	}
	done, err := d.begin(true)
	if err == nil {
		defer done()
		err = d.commit(r)
	}
	if err != nil {
		return fmt.Errorf("pdict: update %s: %w", d.path, err)
	}
	return nil
}

// Delete removes key. Deleting a missing key does nothing and returns nil.
// A deleted key stays deleted after reopening.
func (d *Dict) Delete(key string) error {
	done, err := d.begin(true)
	if err == nil {
		defer done()
		if _, ok := d.state[key]; ok {
			err = d.commit(record{Del: []string{key}})
		}
	}
	if err != nil {
		return fmt.Errorf("pdict: delete %q from %s: %w", key, d.path, err)
	}
	return nil
}

// SetDefault stores v under key unless the key exists, and returns the value
// now stored (the old one or v), like Python's dict.setdefault. The check
// and the write happen under one lock, so two processes cannot both win.
func (d *Dict) SetDefault(key string, v any) (json.RawMessage, error) {
	var out json.RawMessage
	err := d.Modify(key, func(cur json.RawMessage) (any, error) {
		if cur != nil {
			out = cur
			return cur, nil
		}
		raw, err := marshal(key, v)
		out = raw
		return raw, err
	})
	return slices.Clone(out), err
}

// SetDefaultAs is SetDefault with the result decoded as a T.
func SetDefaultAs[T any](d *Dict, key string, v T) (T, error) {
	var out T
	raw, err := d.SetDefault(key, v)
	if err == nil {
		err = json.Unmarshal(raw, &out)
	}
	return out, err
}

// Modify is an atomic read-modify-write of one key, across goroutines and
// processes: fn gets the current value (nil when the key is missing) and
// returns the new one. If fn returns an error nothing is written. When fn
// returns a value equal (as JSON) to the current one nothing is written
// either. fn runs under the Dict's locks and must not call the Dict.
func (d *Dict) Modify(key string, fn func(cur json.RawMessage) (any, error)) error {
	done, err := d.begin(true)
	if err == nil {
		defer done()
		err = d.modify(key, fn)
	}
	if err != nil {
		return fmt.Errorf("pdict: modify %q in %s: %w", key, d.path, err)
	}
	return nil
}

func (d *Dict) modify(key string, fn func(cur json.RawMessage) (any, error)) error {
	cur, ok := d.state[key]
	v, err := fn(slices.Clone(cur))
	if err != nil {
		return err
	}
	raw, err := marshal(key, v)
	if err != nil {
		return err
	}
	if ok && bytes.Equal(raw, cur) {
		return nil
	}
	return d.commit(record{Set: map[string]json.RawMessage{key: raw}})
}

// ModifyAs is Modify with the value decoded as a T (the zero T and ok=false
// when the key is missing). It returns the value stored.
func ModifyAs[T any](d *Dict, key string, fn func(cur T, ok bool) (T, error)) (T, error) {
	var out T
	err := d.Modify(key, func(raw json.RawMessage) (any, error) {
		var cur T
		if raw != nil {
			if err := json.Unmarshal(raw, &cur); err != nil {
				return nil, err
			}
		}
		next, err := fn(cur, raw != nil)
		out = next
		return next, err
	})
	return out, err
}

// Add adds delta to the integer stored at key (a missing key counts as 0)
// in one transaction, as ModifyAs does, and returns the new value: a
// counter that survives restarts and is shared by the processes that open
// the file.
func Add(d *Dict, key string, delta int) (int, error) {
	return ModifyAs(d, key, func(n int, _ bool) (int, error) { return n + delta, nil })
}

// Load returns the values of keys, in the order given; a missing key gives
// a nil entry. All values come from one consistent state.
func (d *Dict) Load(keys ...string) ([]json.RawMessage, error) {
	done, err := d.begin(false)
	if err != nil {
		return nil, fmt.Errorf("pdict: load from %s: %w", d.path, err)
	}
	defer done()
	out := make([]json.RawMessage, len(keys))
	for i, k := range keys {
		out[i] = slices.Clone(d.state[k])
	}
	return out, nil
}

// Refresh reads what other processes committed since the last operation.
// Every operation does this itself; Refresh exists to get the error that
// Keys and Len cannot return.
func (d *Dict) Refresh() error {
	done, err := d.begin(false)
	if err != nil {
		return fmt.Errorf("pdict: refresh %s: %w", d.path, err)
	}
	done()
	return nil
}

// Keys returns the keys, sorted. If reading other processes' writes fails,
// it returns the keys as last read (call Refresh to see the error).
func (d *Dict) Keys() []string {
	d.tryRefresh()
	defer d.mu.Unlock()
	keys := make([]string, 0, len(d.state))
	for k := range d.state {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Len returns the number of keys, with the same refresh rule as Keys.
func (d *Dict) Len() int {
	d.tryRefresh()
	defer d.mu.Unlock()
	return len(d.state)
}

// tryRefresh refreshes if it can and returns with d.mu held.
func (d *Dict) tryRefresh() {
	if done, err := d.begin(false); err == nil {
		done()
	}
	d.mu.Lock()
}

// marshal checks key and JSON-encodes the value for it.
func marshal(key string, v any) (json.RawMessage, error) {
	if !utf8.ValidString(key) {
		return nil, fmt.Errorf("key %q is not valid UTF-8", key)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("value for key %q is not JSON-serializable: %w", key, err)
	}
	return raw, nil
}
