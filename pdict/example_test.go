package pdict_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/pdict"
)

func Example() {
	dir, _ := os.MkdirTemp("", "pdict-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "state", "app.pdict") // "state" is created

	d, err := pdict.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	_ = d.Set("name", "asab")
	_ = d.Update(map[string]any{"port": 8080, "tags": []string{"a", "b"}})
	_ = d.Delete("name")
	d.Close()

	d, _ = pdict.Open(path) // everything committed is still there
	defer d.Close()
	port, ok, _ := pdict.GetAs[int](d, "port")
	fmt.Println(port, ok, d.Keys())
	// Output: 8080 true [port tags]
}

func ExampleModifyAs() {
	dir, _ := os.MkdirTemp("", "pdict-example")
	defer os.RemoveAll(dir)
	d, _ := pdict.Open(filepath.Join(dir, "counter.pdict"))
	defer d.Close()

	for range 3 {
		// Atomic even when several processes share the file.
		n, err := pdict.ModifyAs(d, "runs", func(n int, _ bool) (int, error) { return n + 1, nil })
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("run", n)
	}
	// Output:
	// run 1
	// run 2
	// run 3
}

func ExampleDict_Load() {
	dir, _ := os.MkdirTemp("", "pdict-example")
	defer os.RemoveAll(dir)
	d, _ := pdict.Open(filepath.Join(dir, "d.pdict"))
	defer d.Close()

	_ = d.Update(map[string]any{"a": 1, "b": "two"})
	vals, _ := d.Load("b", "missing", "a")
	for _, v := range vals {
		fmt.Println(string(v))
	}
	// Output:
	// "two"
	//
	// 1
}

func ExampleSetDefaultAs() {
	dir, _ := os.MkdirTemp("", "pdict-example")
	defer os.RemoveAll(dir)
	d, _ := pdict.Open(filepath.Join(dir, "d.pdict"))
	defer d.Close()

	first, _ := pdict.SetDefaultAs(d, "id", "generated-1")
	second, _ := pdict.SetDefaultAs(d, "id", "generated-2")
	fmt.Println(first, second)
	// Output: generated-1 generated-1
}

func ExampleOpenSection() {
	dir, _ := os.MkdirTemp("", "pdict-example")
	defer os.RemoveAll(dir)
	cfg := config.New()
	_ = cfg.LoadString(filepath.Join(dir, "app.conf"), "[pdict:state]\npath = ${THIS_DIR}/state.pdict\ncompact_threshold = 64 KiB\n")

	d, err := pdict.OpenSection(cfg, "pdict:state")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer d.Close()
	fmt.Println(filepath.Base(d.Path()))

	_ = cfg.LoadString("bad.conf", "[pdict:state]\ncompact_threshold = 64 kilos\n")
	_, err = pdict.OpenSection(cfg, "pdict:state")
	fmt.Println(err)
	// Output:
	// state.pdict
	// pdict: config: bad.conf:2: [pdict:state] compact_threshold = "64 kilos": not a size: want a number of bytes with an optional unit B, kB, MB, GB, TB, K, M, G, T, KiB, MiB, GiB or TiB: bad value
}
