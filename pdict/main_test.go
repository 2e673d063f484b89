package pdict

import (
	"fmt"
	"os"
	"strconv"
	"testing"

	"go.uber.org/goleak"
)

// childEnv switches the test binary into a child process role (see
// runChild); the crash and two-process tests re-execute the binary with it.
const childEnv = "PDICT_TEST_CHILD"

func TestMain(m *testing.M) {
	if role := os.Getenv(childEnv); role != "" {
		if err := runChild(role, os.Args[len(os.Args)-3:]); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

// runChild runs one child role; args are path, tag and count.
func runChild(role string, args []string) error {
	path, tag := args[0], args[1]
	n, err := strconv.Atoi(args[2])
	if err != nil {
		return err
	}
	d, err := OpenWithOptions(path, Options{CompactThreshold: 8 << 10})
	if err != nil {
		return err
	}
	defer d.Close()
	switch role {
	case "crash":
		return crashWriter(d, tag, n)
	case "incr":
		return incrementer(d, tag, n)
	}
	return fmt.Errorf("unknown role %q", role)
}

// crashWriter writes until killed and prints a line after each write that
// returned nil: "S key value", "D key", "U key1 key2 value" (batch) or
// "T key" (a key the next write deletes).
func crashWriter(d *Dict, tag string, n int) error {
	out := os.Stdout // unbuffered: a printed line means the write returned nil
	for i := 0; i < n; i++ {
		key := fmt.Sprintf("%s-%d", tag, i)
		switch {
		case i%7 == 2:
			// A victim key, deleted by the next write: its Set is reported
			// as "T" so the parent does not require it after a kill.
			if err := d.Set(key+"-tmp", i); err != nil {
				return err
			}
			fmt.Fprintf(out, "T %s-tmp\n", key)
		case i%7 == 3:
			prev := fmt.Sprintf("%s-%d-tmp", tag, i-1)
			if err := d.Delete(prev); err != nil {
				return err
			}
			fmt.Fprintf(out, "D %s\n", prev)
		case i%11 == 5:
			b := key + "b"
			if err := d.Update(map[string]any{key: i, b: i}); err != nil {
				return err
			}
			fmt.Fprintf(out, "U %s %s %d\n", key, b, i)
		default:
			if err := d.Set(key, i); err != nil {
				return err
			}
			fmt.Fprintf(out, "S %s %d\n", key, i)
		}
		if i%50 == 49 {
			if err := d.Compact(); err != nil {
				return err
			}
		}
	}
	return nil
}

// incrementer adds 1 to the shared key "total" and to its own key n times.
func incrementer(d *Dict, tag string, n int) error {
	for i := 0; i < n; i++ {
		for _, k := range []string{"total", tag} {
			if _, err := ModifyAs(d, k, func(v int, _ bool) (int, error) { return v + 1, nil }); err != nil {
				return err
			}
		}
	}
	return nil
}
