package daemon

import (
	"path/filepath"
	"strings"
)

// FlagKind tells ChildArgs how a flag of the command line is written.
type FlagKind int

const (
	// Unknown flag: kept as it is; it is assumed to take no separate value.
	Unknown FlagKind = iota
	// Bool flag: -name or -name=value, never a separate value.
	Bool
	// Value flag: -name value or -name=value.
	Value
)

// ArgSpec describes the command line for ChildArgs.
type ArgSpec struct {
	// Kind classifies a flag name (without dashes).
	Kind func(name string) FlagKind
	// Drop names bool flags removed from the result (the daemon flag).
	Drop map[string]bool
	// Paths names value flags whose relative value is made absolute
	// against Dir, so that the daemon finds them after changing directory.
	Paths map[string]bool
	// Dir is the directory that relative Paths values are joined to,
	// normally the working directory of the process that starts the daemon.
	Dir string
}

// ChildArgs returns args (without the program name) as the daemon process
// gets them: the flags in spec.Drop removed, the values of spec.Paths made
// absolute, everything else kept in order. Parsing follows package flag:
// flags end at "--" or at the first argument that is not a flag.
func ChildArgs(args []string, spec ArgSpec) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || len(a) < 2 || a[0] != '-' {
			return append(out, args[i:]...)
		}
		name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		value, hasValue := "", false
		if eq := strings.IndexByte(name, '='); eq >= 0 {
			name, value, hasValue = name[:eq], name[eq+1:], true
		}
		kind := Unknown
		if spec.Kind != nil {
			kind = spec.Kind(name)
		}
		if kind == Bool && spec.Drop[name] {
			continue
		}
		if kind != Value {
			out = append(out, a)
			continue
		}
		prefix := a[:len(a)-len(name)]
		if hasValue {
			prefix = a[:strings.IndexByte(a, '=')-len(name)]
		}
		if !hasValue {
			if i+1 >= len(args) {
				return append(out, a)
			}
			i++
			value = args[i]
		}
		if spec.Paths[name] && value != "" && !filepath.IsAbs(value) {
			value = filepath.Join(spec.Dir, value)
		}
		out = append(out, prefix+name+"="+value)
	}
	return out
}
