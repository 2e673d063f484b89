package pdict

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

func openT(t *testing.T, path string) *Dict {
	t.Helper()
	d, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

func TestOperations(t *testing.T) {
	d := openT(t, filepath.Join(t.TempDir(), "ops.pdict"))
	type point struct{ X, Y int }
	if err := d.Set("p", point{1, 2}); err != nil {
		t.Fatal(err)
	}
	if err := d.Update(map[string]any{"s": "hi", "n": 3, "nil": nil}); err != nil {
		t.Fatal(err)
	}
	if p, ok, err := GetAs[point](d, "p"); err != nil || !ok || p != (point{1, 2}) {
		t.Errorf("GetAs p = %v %v %v", p, ok, err)
	}
	var s string
	if ok, err := d.Get("s", &s); err != nil || !ok || s != "hi" {
		t.Errorf("Get s = %q %v %v", s, ok, err)
	}
	if v, ok, err := GetAs[int](d, "missing"); err != nil || ok || v != 0 {
		t.Errorf("missing = %v %v %v", v, ok, err)
	}
	if _, _, err := GetAs[int](d, "s"); err == nil || !strings.Contains(err.Error(), `"s"`) {
		t.Errorf("decoding a string as int: err %v, want one naming the key", err)
	}
	if ok, _ := d.Has("nil"); !ok {
		t.Error("a key set to nil must exist")
	}
	if got := d.Keys(); !slices.Equal(got, []string{"n", "nil", "p", "s"}) {
		t.Errorf("Keys = %v", got)
	}
	vals, err := d.Load("s", "missing", "n")
	if err != nil || string(vals[0]) != `"hi"` || vals[1] != nil || string(vals[2]) != "3" {
		t.Errorf("Load = %q %v", vals, err)
	}
	if v, err := SetDefaultAs(d, "n", 99); err != nil || v != 3 {
		t.Errorf("SetDefault on existing = %v %v, want 3", v, err)
	}
	if v, err := SetDefaultAs(d, "new", 7); err != nil || v != 7 {
		t.Errorf("SetDefault on missing = %v %v, want 7", v, err)
	}
	if err := d.Delete("p"); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete("never-there"); err != nil {
		t.Errorf("Delete of a missing key: %v", err)
	}
	if ok, _ := d.Has("p"); ok || d.Len() != 4 {
		t.Errorf("after Delete: has p %v, len %d", ok, d.Len())
	}
}

func TestBadValue(t *testing.T) {
	d := openT(t, filepath.Join(t.TempDir(), "bad.pdict"))
	err := d.Set("ch", make(chan int))
	if err == nil || !strings.Contains(err.Error(), `"ch"`) {
		t.Fatalf("Set(chan) error = %v, want one naming the key", err)
	}
	if d.Len() != 0 || d.Stats().Writes != 0 {
		t.Error("a failed Set must write nothing")
	}
	if err := d.Set("bad\xff", 1); err == nil || !strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("Set with an invalid UTF-8 key: %v", err)
	}
	boom := errors.New("boom")
	if err := d.Modify("k", func(json.RawMessage) (any, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("Modify error = %v, want boom", err)
	}
	if ok, _ := d.Has("k"); ok {
		t.Error("a failed Modify must write nothing")
	}
}

func TestClosed(t *testing.T) {
	d, err := Open(filepath.Join(t.TempDir(), "c.pdict"))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Set("a", 1); !errors.Is(err, ErrClosed) {
		t.Errorf("Set after Close = %v", err)
	}
	if _, err := d.Get("a", new(int)); !errors.Is(err, ErrClosed) {
		t.Errorf("Get after Close = %v", err)
	}
	if err := d.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close = %v", err)
	}
}

// TestDeletedStayDeleted is ASAB's flaw: popped keys came back on reopen.
func TestDeletedStayDeleted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "del.pdict")
	for _, compact := range []bool{false, true} {
		d := openT(t, path)
		if err := d.Update(map[string]any{"keep": 1, "drop": 2}); err != nil {
			t.Fatal(err)
		}
		if err := d.Delete("drop"); err != nil {
			t.Fatal(err)
		}
		if compact {
			if err := d.Compact(); err != nil {
				t.Fatal(err)
			}
		}
		d.Close()
		d = openT(t, path)
		if got := d.Keys(); !slices.Equal(got, []string{"keep"}) {
			t.Errorf("compact=%v: keys after reopen = %v, want [keep]", compact, got)
		}
		d.Close()
	}
}

func TestPermissionsAndParentDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	path := filepath.Join(dir, "perm.pdict")
	d := openT(t, path)
	if err := d.Set("k", "v"); err != nil {
		t.Fatal(err)
	}
	check := func(name string, want os.FileMode) {
		t.Helper()
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s mode %o, want %o", name, got, want)
		}
	}
	check(dir, 0o700)
	check(path, 0o600)
	check(path+".lock", 0o600)
	if err := d.Compact(); err != nil {
		t.Fatal(err)
	}
	check(path, 0o600)
}

func TestCorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "corrupt.pdict")
	d := openT(t, path)
	for i := range 3 {
		if err := d.Set(fmt.Sprint("k", i), i); err != nil {
			t.Fatal(err)
		}
	}
	d.Close()
	data, _ := os.ReadFile(path)
	lines := strings.SplitAfter(string(data), "\n")
	line3 := len(lines[0]) + len(lines[1])
	bad := slices.Clone(data)
	bad[line3+12] ^= 0x01 // a bit flip inside record 2 (line 3)
	cases := map[string]struct {
		data []byte
		want string
	}{
		"bit flip":   {bad, fmt.Sprintf("line 3 (byte offset %d): checksum mismatch", line3)},
		"not pdict":  {[]byte("{\"k0\": 0}\n"), "line 1 (byte offset 0): not a pdict file"},
		"bad record": {[]byte(header + "zzzzzzzz {}\n"), "line 2 (byte offset 8): bad checksum field"},
		"bad json":   {[]byte(header + "00000000 {\n"), "line 2 (byte offset 8): checksum mismatch"},
	}
	for name, c := range cases {
		if err := os.WriteFile(path, c.data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Open(path)
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Open error = %v, want ErrCorrupt naming %s and %q", name, err, path, c.want)
		}
		if after, _ := os.ReadFile(path); string(after) != string(c.data) {
			t.Errorf("%s: a failed Open changed the file", name)
		}
	}
}

// TestTornTail: a record cut short by a crash (no newline) is a write that
// never returned; it is ignored, and the next write replaces it.
func TestTornTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "torn.pdict")
	d := openT(t, path)
	if err := d.Set("a", 1); err != nil {
		t.Fatal(err)
	}
	d.Close()
	full, _ := encodeRecord(record{Set: map[string]json.RawMessage{"b": json.RawMessage("2")}})
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.Write(full[:len(full)-3])
	f.Close()
	d = openT(t, path)
	if got := d.Keys(); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("keys with torn tail = %v", got)
	}
	if err := d.Set("c", 3); err != nil {
		t.Fatal(err)
	}
	d.Close()
	d = openT(t, path)
	if got := d.Keys(); !slices.Equal(got, []string{"a", "c"}) {
		t.Errorf("keys after write over torn tail = %v", got)
	}
}

// TestTwoDictsOneFile: each operation reads what another Dict (here in the
// same process, each with its own file descriptors and lock) committed,
// including across a compaction that replaced the file.
func TestTwoDictsOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "two.pdict")
	a, b := openT(t, path), openT(t, path)
	if err := a.Set("x", 1); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := GetAs[int](b, "x"); v != 1 {
		t.Errorf("b sees x=%d, want 1", v)
	}
	if err := a.Compact(); err != nil {
		t.Fatal(err)
	}
	if err := a.Set("y", 2); err != nil {
		t.Fatal(err)
	}
	if err := b.Delete("x"); err != nil {
		t.Fatal(err)
	}
	if got := a.Keys(); !slices.Equal(got, []string{"y"}) {
		t.Errorf("a keys = %v, want [y]", got)
	}
}

func TestConcurrentIncrements(t *testing.T) {
	path := filepath.Join(t.TempDir(), "conc.pdict")
	dicts := []*Dict{openT(t, path), openT(t, path)}
	const workers, n = 4, 25
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for range n {
				if _, err := ModifyAs(dicts[w%2], "n", func(v int, _ bool) (int, error) { return v + 1, nil }); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if v, _, _ := GetAs[int](dicts[0], "n"); v != workers*n {
		t.Errorf("n = %d, want %d", v, workers*n)
	}
}

func TestAutoCompaction(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auto.pdict")
	d, err := OpenWithOptions(path, Options{CompactThreshold: 4096})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for i := range 500 {
		if err := d.Set(fmt.Sprint("k", i%5), i); err != nil {
			t.Fatal(err)
		}
	}
	fi, _ := os.Stat(path)
	if st := d.Stats(); st.Compactions == 0 || fi.Size() > 4096+100 {
		t.Errorf("after 500 writes to 5 keys: %d compactions, file %d bytes", st.Compactions, fi.Size())
	}
	if v, _, _ := GetAs[int](d, "k4"); v != 499 {
		t.Errorf("k4 = %d, want 499", v)
	}
}

// TestAdd: Add counts from 0 for a missing key, returns the new value and
// refuses a value that is not an integer, naming the key.
func TestAdd(t *testing.T) {
	d := openT(t, filepath.Join(t.TempDir(), "add.pdict"))
	for i, want := range []int{1, 3, -2} {
		got, err := Add(d, "n", []int{1, 2, -5}[i])
		if err != nil || got != want {
			t.Fatalf("Add #%d = %d, %v; want %d", i, got, err, want)
		}
	}
	if n, _, err := GetAs[int](d, "n"); err != nil || n != -2 {
		t.Fatalf("stored %d, %v", n, err)
	}
	if err := d.Set("s", "text"); err != nil {
		t.Fatal(err)
	}
	if _, err := Add(d, "s", 1); err == nil || !strings.Contains(err.Error(), `"s"`) {
		t.Fatalf("Add to a string: %v, want an error naming the key", err)
	}
}
