package pdict

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// ErrClosed is returned by every operation on a closed Dict.
var ErrClosed = errors.New("pdict: dictionary is closed")

// DefaultCompactThreshold is the log size below which a Dict never compacts.
const DefaultCompactThreshold = 1 << 20

// Options tune a Dict. The zero value gives the defaults.
type Options struct {
	// CompactThreshold is the file size in bytes below which the log is never
	// compacted. Above it, the log is compacted once it is more than twice
	// the size of the live data. 0 means DefaultCompactThreshold; a negative
	// value disables automatic compaction (Compact still works).
	CompactThreshold int64
}

// Stats counts the I/O a Dict has done since it was opened.
type Stats struct {
	Writes       uint64 // committed writes (one per Set, Delete, Update, ...)
	BytesWritten uint64 // bytes written to the data file, compaction included
	Syncs        uint64 // fsync calls on files and directories
	Compactions  uint64 // log rewrites
}

// Dict is a persistent map from string keys to JSON values stored in one
// file. It is safe for concurrent use by goroutines and by processes that
// open the same path. See the package documentation for the guarantees.
type Dict struct {
	mu   sync.Mutex
	path string
	opts Options

	lock *os.File // path + ".lock", flock'd around every operation
	f    *os.File // the data file currently at path
	id   identity // identity of f
	off  int64    // bytes of f decoded into state (header and whole records)
	line int      // records (and header) in off, for error messages
	torn bool     // a torn record (from a crashed writer) follows off

	state map[string]json.RawMessage
	live  int64 // approximate encoded size of state
	stats Stats
}

// Open opens the dictionary stored at path, creating the file (mode 0600) and
// any missing parent directories (mode 0700) when needed. A file that is not
// a valid pdict log gives an error naming the file and line (a *CorruptError);
// it is never silently reset. A lock file path+".lock" sits beside it.
func Open(path string) (*Dict, error) {
	return OpenWithOptions(path, Options{})
}

// OpenWithOptions is Open with tuning options.
func OpenWithOptions(path string, opts Options) (*Dict, error) {
	if opts.CompactThreshold == 0 {
		opts.CompactThreshold = DefaultCompactThreshold
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("pdict: open %s: create directory: %w", path, err)
	}
	lock, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("pdict: open %s: %w", path, err)
	}
	d := &Dict{path: path, opts: opts, lock: lock, state: map[string]json.RawMessage{}}
	unlock, err := lockFile(lock, true)
	if err != nil {
		_ = lock.Close()
		return nil, fmt.Errorf("pdict: open %s: %w", path, err)
	}
	err = d.create()
	if err == nil {
		err = d.reload()
	}
	unlock()
	if err != nil {
		d.closeFiles()
		if ce := (*CorruptError)(nil); errors.As(err, &ce) {
			return nil, ce // it already names the file, line and offset
		}
		return nil, fmt.Errorf("pdict: open %s: %w", path, err)
	}
	return d, nil
}

// create removes temporary files left by a compaction that crashed and
// writes an empty log at d.path if there is no file or an empty one. The
// caller holds the exclusive lock (which every compaction holds too).
func (d *Dict) create() error {
	stale, _ := filepath.Glob(d.path + ".tmp-*")
	for _, name := range stale {
		_ = os.Remove(name)
	}
	fi, err := os.Stat(d.path)
	if err == nil && fi.Size() > 0 {
		return nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	d.stats.Syncs += 2
	return replaceFile(d.path, []byte(header))
}

// Path returns the file the dictionary is stored in.
func (d *Dict) Path() string { return d.path }

// Stats returns the I/O counters.
func (d *Dict) Stats() Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stats
}

// Close releases the files. Later operations return ErrClosed. Every write
// that returned nil is already on disk, so Close has nothing to flush.
func (d *Dict) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.lock == nil {
		return ErrClosed
	}
	return d.closeFiles()
}

func (d *Dict) closeFiles() error {
	var err error
	if d.f != nil {
		err = d.f.Close()
		d.f = nil
	}
	if d.lock != nil {
		err = errors.Join(err, d.lock.Close())
		d.lock = nil
	}
	return err
}

// reload opens the file now at d.path and decodes all of it into a fresh
// state. The caller holds the lock.
func (d *Dict) reload() error {
	f, err := os.OpenFile(d.path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err == nil && fi.Size() == 0 {
		err = fmt.Errorf("%s is empty (removed or truncated by someone else)", d.path)
	}
	var data []byte
	if err == nil {
		data, err = readAt(f, 0, fi.Size())
	}
	state := map[string]json.RawMessage{}
	var dec decoded
	if err == nil {
		dec, err = decodeFile(data, state)
		err = d.named(err)
	}
	if err != nil {
		_ = f.Close()
		return err
	}
	if d.f != nil {
		_ = d.f.Close()
	}
	d.f, d.id, d.off, d.line, d.torn, d.state = f, identityOf(fi), int64(dec.used), dec.lines, dec.torn, state
	d.live = liveSize(state)
	return nil
}

// named fills in the path of a *CorruptError.
func (d *Dict) named(err error) error {
	var ce *CorruptError
	if errors.As(err, &ce) {
		ce.Path = d.path
	}
	return err
}

// refresh brings the state up to date with the file: it re-reads the whole
// file when another process replaced it (compaction) and decodes the
// records another process appended. The caller holds the lock.
func (d *Dict) refresh() error {
	fi, err := os.Stat(d.path)
	if err != nil {
		return err
	}
	if identityOf(fi) != d.id || fi.Size() < d.off {
		return d.reload()
	}
	if fi.Size() == d.off {
		return nil
	}
	data, err := readAt(d.f, d.off, fi.Size()-d.off)
	if err != nil {
		return err
	}
	dec, err := decodeRecords(data, d.off, d.line+1, func(r record) {
		d.live += recordDelta(d.state, r)
		applyRecord(d.state, r)
	})
	d.off += int64(dec.used)
	d.line += dec.lines
	d.torn = dec.torn
	return d.named(err)
}

// begin locks d (mutex, then file lock) and refreshes the state. The
// returned function undoes the locks.
func (d *Dict) begin(exclusive bool) (func(), error) {
	d.mu.Lock()
	if d.lock == nil {
		d.mu.Unlock()
		return nil, ErrClosed
	}
	unlock, err := lockFile(d.lock, exclusive)
	if err != nil {
		d.mu.Unlock()
		return nil, err
	}
	done := func() { unlock(); d.mu.Unlock() }
	if err := d.refresh(); err != nil {
		done()
		return nil, err
	}
	return done, nil
}

// commit appends r as one record, fsyncs it and only then applies it to the
// state. The caller holds the exclusive lock and has refreshed.
func (d *Dict) commit(r record) error {
	line, err := encodeRecord(r)
	if err != nil {
		return err
	}
	// A crashed writer may have left a torn record after d.off: cut it off.
	if d.torn {
		if err := d.f.Truncate(d.off); err != nil {
			return fmt.Errorf("truncate torn record in %s: %w", d.path, err)
		}
		d.torn = false
	}
	if _, err := d.f.WriteAt(line, d.off); err != nil {
		_ = d.f.Truncate(d.off)
		return fmt.Errorf("write %s: %w", d.path, err)
	}
	d.stats.BytesWritten += uint64(len(line))
	d.stats.Syncs++
	if err := d.f.Sync(); err != nil {
		_ = d.f.Truncate(d.off)
		return fmt.Errorf("fsync %s: %w", d.path, err)
	}
	d.stats.Writes++
	d.live += recordDelta(d.state, r)
	applyRecord(d.state, r)
	d.off += int64(len(line))
	d.line++
	if d.opts.CompactThreshold > 0 && d.off > d.opts.CompactThreshold && d.off > 2*d.live {
		// The write is already durable; a failed compaction only means the
		// log stays long, and the next write tries again.
		_ = d.compact()
	}
	return nil
}

// Compact rewrites the file to hold only the live data (atomic replace).
// Dicts compact automatically; call it to shrink the file now.
func (d *Dict) Compact() error {
	done, err := d.begin(true)
	if err != nil {
		return fmt.Errorf("pdict: compact %s: %w", d.path, err)
	}
	defer done()
	if err := d.compact(); err != nil {
		return fmt.Errorf("pdict: compact %s: %w", d.path, err)
	}
	return nil
}

func (d *Dict) compact() error {
	data, err := encodeSnapshot(d.state)
	if err != nil {
		return err
	}
	d.stats.Syncs += 2
	if err := replaceFile(d.path, data); err != nil {
		return err
	}
	d.stats.BytesWritten += uint64(len(data))
	d.stats.Compactions++
	// The new file holds exactly d.state: switch to it without decoding it.
	f, err := os.OpenFile(d.path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return err
	}
	_ = d.f.Close()
	d.f, d.id, d.off, d.torn = f, identityOf(fi), int64(len(data)), false
	d.line = 1 + (len(d.state)+snapshotChunk-1)/snapshotChunk
	return nil
}

// entrySize approximates the encoded size of one key and value.
func entrySize(k string, v json.RawMessage) int64 { return int64(len(k) + len(v) + 4) }

func liveSize(state map[string]json.RawMessage) int64 {
	n := int64(len(header))
	for k, v := range state {
		n += entrySize(k, v)
	}
	return n
}

// recordDelta is how much applying r changes liveSize(state).
func recordDelta(state map[string]json.RawMessage, r record) int64 {
	var n int64
	for _, k := range r.Del {
		if _, reset := r.Set[k]; reset {
			continue
		}
		if v, ok := state[k]; ok {
			n -= entrySize(k, v)
		}
	}
	for k, v := range r.Set {
		if old, ok := state[k]; ok {
			n -= entrySize(k, old)
		}
		n += entrySize(k, v)
	}
	return n
}
