package listen

import "strings"

// validHostname accepts a DNS host name: at most 253 characters of
// dot-separated labels, each 1 to 63 letters, digits and '-' that neither
// starts nor ends with '-'. The last label may not be all digits, so that a
// mistyped IPv4 address such as "1.2.3.256" is not taken for a name.
func validHostname(s string) bool {
	if len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	for _, l := range labels {
		if !validLabel(l) {
			return false
		}
	}
	return !isDigits(labels[len(labels)-1])
}

func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
