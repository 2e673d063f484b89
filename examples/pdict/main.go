// Command pdict is a counter that survives restarts: every run adds one to
// the "runs" key of a persistent dictionary and prints the new value. Kill
// it, run it from two shells at once: no run is ever lost or counted twice.
//
//	go run ./examples/pdict -c examples/pdict/pdict.conf
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/asabgo/asab/pdict"
	"gopkg.in/ini.v1"
)

func main() {
	conf := flag.String("c", "examples/pdict/pdict.conf", "configuration `file`")
	flag.Parse()
	if err := run(*conf); err != nil {
		fmt.Fprintln(os.Stderr, "pdict example:", err)
		os.Exit(1)
	}
}

func run(conf string) error {
	path, err := statePath(conf)
	if err != nil {
		return err
	}
	n, err := countRun(path)
	if err != nil {
		return err
	}
	fmt.Printf("run #%d (state in %s)\n", n, path)
	return nil
}

// countRun adds one to the run counter stored at path and returns it.
func countRun(path string) (int, error) {
	d, err := pdict.Open(path)
	if err != nil {
		return 0, err
	}
	defer d.Close()
	return pdict.ModifyAs(d, "runs", func(n int, _ bool) (int, error) { return n + 1, nil })
}

// statePath reads [pdict] path from the configuration file.
func statePath(conf string) (string, error) {
	f, err := ini.Load(conf)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", conf, err)
	}
	path := f.Section("pdict").Key("path").String()
	if path == "" {
		return "", fmt.Errorf("%s: [pdict] path is missing", conf)
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(conf), path)
	}
	return path, nil
}
