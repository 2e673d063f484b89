package config

import (
	"fmt"
	"strings"
)

// maxInterpolationDepth bounds how many ${...} references may be followed
// through one another, so that a reference cycle ends with an error. As
// Python's MAX_INTERPOLATION_DEPTH, a chain of 10 references resolves and the
// 11th is refused.
const maxInterpolationDepth = 10

// lookupFunc returns the raw (uninterpolated) value of section/key, falling back
// to [DEFAULT] as the caller sees fit.
type lookupFunc func(section, key string) (string, bool)

// interpolate applies extended interpolation to raw, a value of section:
// "$$" becomes "$", "${key}" the value of key in the same section (or DEFAULT),
// "${section:key}" the value of key in that section (split at the last ":", so
// section names may contain ":"). A "$" followed by anything else is kept, except
// "$NAME", which is reported: it was an undefined environment variable.
func interpolate(lookup lookupFunc, section, raw string, depth int) (string, error) {
	if strings.IndexByte(raw, '$') < 0 {
		return raw, nil
	}
	if depth >= maxInterpolationDepth {
		return "", fmt.Errorf("references nested more than %d deep (a reference cycle?): %w", maxInterpolationDepth, ErrInterpolation)
	}
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '$' || i+1 >= len(raw) {
			b.WriteByte(c)
			i++
			continue
		}
		switch next := raw[i+1]; {
		case next == '$':
			b.WriteByte('$')
			i += 2
		case next == '{':
			end := strings.IndexByte(raw[i+2:], '}')
			if end < 0 {
				return "", fmt.Errorf("unterminated reference %q (use $$ for a literal $): %w", raw[i:], ErrInterpolation)
			}
			ref := raw[i+2 : i+2+end]
			v, err := resolve(lookup, section, ref, depth)
			if err != nil {
				return "", err
			}
			b.WriteString(v)
			i += 3 + end
		case isNameStart(next):
			j := i + 2
			for j < len(raw) && isNameChar(raw[j]) {
				j++
			}
			return "", fmt.Errorf("%q is not a defined environment variable (use $$ for a literal $): %w", raw[i:j], ErrInterpolation)
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), nil
}

func resolve(lookup lookupFunc, section, ref string, depth int) (string, error) {
	rsec, rkey := section, ref
	if k := strings.LastIndexByte(ref, ':'); k >= 0 {
		rsec, rkey = ref[:k], ref[k+1:]
	}
	rkey = lowerKey(rkey) // as Python: no trimming, "${ a }" names the key " a "
	raw, ok := lookup(rsec, rkey)
	if !ok {
		return "", fmt.Errorf("reference %q names no key %q in section [%s] or [DEFAULT], and no such environment variable is set: %w", "${"+ref+"}", rkey, rsec, ErrInterpolation)
	}
	return interpolate(lookup, rsec, raw, depth+1)
}
