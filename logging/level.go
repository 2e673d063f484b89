package logging

import (
	"fmt"
	"strconv"
	"strings"
)

// Level is the severity of a log line. The six levels are ASAB's: NOTICE sits
// between INFO and WARNING and is shown by default.
type Level int8

// The levels, from the least to the most severe.
const (
	LevelDebug Level = iota
	LevelInfo
	LevelNotice
	LevelWarning
	LevelError
	LevelCritical

	numLevels = int(LevelCritical) + 1
)

var levelNames = [numLevels]string{"DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL"}

// String returns the upper-case name of the level ("NOTICE"), or "LEVEL(n)"
// for a value outside the six levels.
func (l Level) String() string {
	if l >= 0 && int(l) < numLevels {
		return levelNames[l]
	}
	return "LEVEL(" + strconv.Itoa(int(l)) + ")"
}

// valid reports whether l is one of the six levels.
func (l Level) valid() bool { return l >= 0 && int(l) < numLevels }

// severity is the syslog severity of the level (RFC 5424 section 6.2.1).
func (l Level) severity() int {
	return [numLevels]int{7, 6, 5, 4, 3, 2}[l]
}

// ParseLevel parses a level name, case-insensitively: DEBUG, INFO, NOTICE,
// WARNING (or WARN), ERROR (or ERR), CRITICAL (or CRIT). It also accepts
// Python's numeric levels as ASAB configurations use them: 10 DEBUG, 20 INFO,
// 25 NOTICE, 30 WARNING, 40 ERROR, 50 CRITICAL; a number in between selects the
// next level up (15 is INFO), as Python's threshold comparison does.
func ParseLevel(s string) (Level, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	for lv, name := range levelNames {
		if t == name {
			return Level(lv), nil
		}
	}
	if lv, ok := map[string]Level{"WARN": LevelWarning, "ERR": LevelError, "CRIT": LevelCritical}[t]; ok {
		return lv, nil
	}
	n, err := strconv.Atoi(t)
	if err != nil || n < 0 || n > 50 {
		return 0, fmt.Errorf("logging: unknown level %q (want DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL or a number 0-50)", s)
	}
	lv := LevelDebug
	for _, top := range []int{10, 20, 25, 30, 40} { // Python's numbers of DEBUG ... ERROR
		if n <= top {
			break
		}
		lv++
	}
	return lv, nil
}
