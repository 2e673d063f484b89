package config

import (
	"os"
	"strings"
)

// thisDirVar names the variable that expands to the directory of the file
// being read.
const thisDirVar = "THIS_DIR"

// expandEnv replaces $NAME and ${NAME} with environment variables at read time,
// and ${THIS_DIR} with thisDir. Undefined names are left as written, for
// interpolation at get time. "$$" is kept as is (it is the escape that get-time
// interpolation turns into "$"), and every "$" inside a substituted value is
// doubled so that the environment's text comes out literally.
func expandEnv(s, thisDir string) string {
	if strings.IndexByte(s, '$') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '$' || i+1 >= len(s) {
			b.WriteByte(c)
			i++
			continue
		}
		switch next := s[i+1]; {
		case next == '$':
			b.WriteString("$$")
			i += 2
		case next == '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			name := s[i+2 : i+2+end]
			if v, ok := lookupVar(name, thisDir); ok {
				b.WriteString(escapeDollar(v))
			} else {
				b.WriteString(s[i : i+3+end])
			}
			i += 3 + end
		case isNameStart(next):
			j := i + 2
			for j < len(s) && isNameChar(s[j]) {
				j++
			}
			if v, ok := lookupVar(s[i+1:j], thisDir); ok {
				b.WriteString(escapeDollar(v))
			} else {
				b.WriteString(s[i:j])
			}
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

func lookupVar(name, thisDir string) (string, bool) {
	if name == thisDirVar {
		return thisDir, true
	}
	if name == "" {
		return "", false
	}
	return os.LookupEnv(name)
}

func escapeDollar(s string) string {
	return strings.ReplaceAll(s, "$", "$$")
}

func isNameStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isNameChar(c byte) bool {
	return isNameStart(c) || (c >= '0' && c <= '9')
}
