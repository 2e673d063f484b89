package pdict

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// benchValue is a typical small value (about 40 bytes of JSON).
type benchValue struct {
	N    int    `json:"n"`
	Name string `json:"name"`
}

// filled opens a dict in a temporary directory holding n keys.
func filled(b *testing.B, n int) *Dict {
	b.Helper()
	d, err := Open(filepath.Join(b.TempDir(), "bench.pdict"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	m := make(map[string]any, n)
	for i := range n {
		m[fmt.Sprintf("key-%06d", i)] = benchValue{i, fmt.Sprintf("item %d", i)}
	}
	if err := d.Update(m); err != nil {
		b.Fatal(err)
	}
	return d
}

// report adds writes/s and bytes written to the data file per operation.
func report(b *testing.B, d *Dict, before Stats) {
	after := d.Stats()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
	b.ReportMetric(float64(after.BytesWritten-before.BytesWritten)/float64(b.N), "diskB/op")
	b.ReportMetric(float64(after.Compactions-before.Compactions), "compactions")
}

// BenchmarkSet: one Set (append one record + fsync) on a dict of 10, 1,000
// and 100,000 keys. The cost does not grow with the size of the dict.
func BenchmarkSet(b *testing.B) {
	for _, n := range []int{10, 1_000, 100_000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			d := filled(b, n)
			before := d.Stats()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if err := d.Set(fmt.Sprintf("key-%06d", i%n), benchValue{i, "updated"}); err != nil {
					b.Fatal(err)
				}
			}
			report(b, d, before)
		})
	}
}

// BenchmarkUpdateBatch: 100 keys per Update (one record, one fsync) on a
// dict of 1,000 keys; keys/s shows the gain of batching over Set.
func BenchmarkUpdateBatch(b *testing.B) {
	d := filled(b, 1_000)
	before := d.Stats()
	batch := make(map[string]any, 100)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		clear(batch)
		for j := range 100 {
			batch[fmt.Sprintf("key-%06d", (i*100+j)%1_000)] = benchValue{i, "updated"}
		}
		if err := d.Update(batch); err != nil {
			b.Fatal(err)
		}
	}
	report(b, d, before)
	b.ReportMetric(100*float64(b.N)/b.Elapsed().Seconds(), "keys/s")
}

// BenchmarkCompact: the O(size) rewrite that keeps the log short. It runs
// after the log has grown by at least the live size, so its cost per Set
// is bounded by a constant (see the package doc).
func BenchmarkCompact(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			d := filled(b, n)
			for b.Loop() {
				if err := d.Compact(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGet: lock, check the file for other processes' writes, decode.
func BenchmarkGet(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			d := filled(b, n)
			var v benchValue
			for i := 0; b.Loop(); i++ {
				if ok, err := d.Get(fmt.Sprintf("key-%06d", i%n), &v); err != nil || !ok {
					b.Fatal(ok, err)
				}
			}
		})
	}
}

// BenchmarkBaselineAtomicRenameJSON1000 is the plain alternative design for
// comparison: rewrite the whole map as JSON to a temporary file, fsync,
// rename, fsync the directory, for every write, at 1,000 keys.
func BenchmarkBaselineAtomicRenameJSON1000(b *testing.B) {
	path := filepath.Join(b.TempDir(), "baseline.json")
	m := make(map[string]benchValue, 1_000)
	for i := range 1_000 {
		m[fmt.Sprintf("key-%06d", i)] = benchValue{i, fmt.Sprintf("item %d", i)}
	}
	var written int64
	for i := 0; b.Loop(); i++ {
		m[fmt.Sprintf("key-%06d", i%1_000)] = benchValue{i, "updated"}
		data, err := json.Marshal(m)
		if err != nil {
			b.Fatal(err)
		}
		if err := replaceFile(path, data); err != nil {
			b.Fatal(err)
		}
		written += int64(len(data))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
	b.ReportMetric(float64(written)/float64(b.N), "diskB/op")
	if _, err := os.Stat(path); err != nil {
		b.Fatal(err)
	}
}
