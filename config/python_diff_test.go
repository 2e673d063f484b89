package config

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
)

// pythonDump is a python3 program that loads each file given on the command
// line with configparser (ExtendedInterpolation, as ASAB) and prints, per
// file, {"error": true} or {"sections": {name: {key: value or null on an
// interpolation error}}}, [DEFAULT] included.
const pythonDump = `
import configparser, json, sys
out = []
for path in sys.argv[1:]:
    c = configparser.ConfigParser(interpolation=configparser.ExtendedInterpolation())
    try:
        c.read(path, encoding="utf-8")
    except Exception:
        out.append({"error": True})
        continue
    secs = {}
    for name in ["DEFAULT"] + c.sections():
        keys = {}
        for k in c[name]:
            try:
                keys[k] = c.get(name, k)
            except configparser.InterpolationError:
                keys[k] = None
        secs[name] = keys
    out.append({"sections": secs})
print(json.dumps(out))
`

// pythonResult is one file's result from pythonDump.
type pythonResult struct {
	Error    bool                          `json:"error"`
	Sections map[string]map[string]*string `json:"sections"`
}

// TestAgreesWithPythonConfigparser loads a corpus of files in this package
// and in python3's configparser and compares sections, keys and interpolated
// values (an interpolation error on both sides counts as agreement). It is
// skipped when python3 is not installed. The corpus avoids the intentional
// differences listed in docs/config.md.
func TestAgreesWithPythonConfigparser(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	corpus := []string{
		"[s]\na = 1\nb: 2\nc = x = y\n",
		"[s]\r\na = 1\r\n  two\r\n",
		"[s]\ra = 1\r  two\r\rb = 2\r",
		"[s]\na = one\n\n  two\n\n\nb = 2\n",
		"[s]\na = one\n  # comment\n  two\n",
		"[DEFAULT]\nd = 1\n[s]\nx = ${d}\n[DEFAULT]\ne = 2\n",
		"[DEFAULT]\na = 1\n[DEFAULT]\na = 2\n",
		"[s]\na = 1\n[s]\nb = 2\n",
		"[s]\na = 1\nA = 2\n",
		"[s]\n\u00a0a = one\n  two\n",
		"[s]\na = one\n\u00a0two\n",
		"[s]\na = one\n\x1ftwo\n",
		"[s]\na = ${b}\nb = ${c}\nc = end\n",
		"[s]\na = ${ b }\nb = 1\n",
		"[s]\na = ${t:x}\n[t]\nx = ${y}\ny = deep\n",
		"[s]\na = ${a}\n",
		"[s]\na = $$5 and 100%\n",
		"[s]\na = ${nowhere}\n",
		"[s]\nΟΔΟΣ = 1\nİx = 2\nΑΣ. = 3\n",
		"[s]\na = \xff\n",
		"a = 1\n[s]\n",
		"[s]\njust words\n",
		"[s]\n= v\n",
		"[]\na = 1\n",
		"[a]b] x\nk = v\n",
		"  [s]\n  a = 1\n    b = 2\n  c = 3\n",
		"[s]\na =\n  one\n  two three\n",
		"[s]\na = 1 # not a comment\nb = 2 ; nor this\n",
		"; comment\n# comment\n[s]\n  ; indented comment\na = 1\n",
		"[s]\n\ta = 1\n\t  b\n",
		"[s]\nk = v\n\x0bmore\n",
	}
	dir := t.TempDir()
	paths := make([]string, len(corpus))
	for i, text := range corpus {
		paths[i] = filepath.Join(dir, strconv.Itoa(i)+".conf")
		if err := os.WriteFile(paths[i], []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command(py, append([]string{"-c", pythonDump}, paths...)...).Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var want []pythonResult
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	for i, path := range paths {
		c := New()
		err := c.LoadFile(path)
		if (err != nil) != want[i].Error {
			t.Errorf("corpus[%d] %q: Go error %v, Python error %v", i, corpus[i], err, want[i].Error)
			continue
		}
		if err != nil {
			continue
		}
		got := map[string]map[string]*string{}
		for _, s := range append([]string{"DEFAULT"}, c.Sections()...) {
			got[s] = map[string]*string{}
			for _, k := range c.Keys(s) {
				if v, err := c.Get(s, k); err == nil {
					got[s][k] = &v
				} else {
					got[s][k] = nil
				}
			}
		}
		if !reflect.DeepEqual(flatten(got), flatten(want[i].Sections)) {
			t.Errorf("corpus[%d] %q:\n Go:     %v\n Python: %v", i, corpus[i], flatten(got), flatten(want[i].Sections))
		}
	}
}

// flatten turns sections into "section/key" -> value ("<error>" for an
// interpolation error), for comparison and readable messages.
func flatten(secs map[string]map[string]*string) map[string]string {
	m := map[string]string{}
	for s, keys := range secs {
		m[s+"/"] = ""
		for k, v := range keys {
			if v == nil {
				m[s+"/"+k] = "<error>"
			} else {
				m[s+"/"+k] = *v
			}
		}
	}
	return m
}
