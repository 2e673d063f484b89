package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// EnvConfigFile names the environment variable that gives the configuration
// file when the command line does not (as in ASAB).
const EnvConfigFile = "ASAB_CONFIG"

// PathFromEnv returns the configuration file named by $ASAB_CONFIG, or "".
func PathFromEnv() string { return os.Getenv(EnvConfigFile) }

// parsedFile is one file read during a load, waiting to be applied.
type parsedFile struct {
	name     string // as given, for positions in messages
	dir      string
	sections []*rawSection
}

// loader gathers the files of one load (the main one and its includes,
// depth-first) so that the Config changes only when all of them parsed.
type loader struct {
	files    []parsedFile
	warnings []string
	seen     map[string]string // absolute path -> the file that loaded it
	missing  []MissingInclude
}

// LoadFile reads the file at path, then the files its [general] include lists.
// Errors name the file and line. On error the Config is left unchanged.
func (c *Config) LoadFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("config: open %s: %w", path, err)
	}
	defer f.Close()
	return c.load(path, f)
}

// LoadString reads INI text. name appears in errors; its directory (the current
// directory when name is not a path) is ${THIS_DIR} and the base of relative
// include paths.
func (c *Config) LoadString(name, text string) error {
	return c.LoadReader(name, strings.NewReader(text))
}

// LoadReader reads INI text from r, like [Config.LoadString].
func (c *Config) LoadReader(name string, r io.Reader) error {
	return c.load(name, r)
}

func (c *Config) load(name string, r io.Reader) error {
	if name == "" {
		name = "<string>"
	}
	abs, err := filepath.Abs(name)
	if err != nil {
		return fmt.Errorf("config: %s: %w", name, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	ld := &loader{seen: map[string]string{}}
	for p, by := range c.included {
		ld.seen[p] = by
	}
	if fi, err := os.Stat(abs); err == nil && fi.Mode().IsRegular() {
		ld.seen[abs] = "the caller" // so that an include cycle back to it ends
	}
	if err := ld.read(name, filepath.Dir(abs), r); err != nil {
		return err
	}
	c.write(func(e *edit) {
		for _, f := range ld.files {
			for _, s := range f.sections {
				e.section(s.name)
				for _, k := range s.keys {
					e.set(s.name, k.name, newValue(expandEnv(k.value(), f.dir), f.name, k.line), false)
				}
			}
		}
	})
	if c.included == nil {
		c.included = map[string]string{}
	}
	for p, by := range ld.seen {
		c.included[p] = by
	}
	c.warnings = append(c.warnings, ld.warnings...)
	c.missing = append(c.missing, ld.missing...)
	return nil
}

// read parses one file and, depth-first, the files it includes.
func (ld *loader) read(name, dir string, r io.Reader) error {
	sections, err := parse(name, r)
	if err != nil {
		return err
	}
	ld.files = append(ld.files, parsedFile{name: name, dir: dir, sections: sections})
	inc, line := includeOf(sections)
	for _, item := range splitIncludes(expandEnv(inc, dir)) {
		item = strings.ReplaceAll(item, "$$", "$")
		pattern := item
		if !filepath.IsAbs(pattern) {
			pattern = filepath.Join(dir, pattern)
		}
		matches, err := filepath.Glob(pattern)
		if err != nil {
			return fmt.Errorf("config: %s:%d: [general] include %q: %w", name, line, item, err)
		}
		matches = slices.DeleteFunc(matches, func(m string) bool { return hiddenMatch(pattern, m) })
		sort.Strings(matches)
		literal := !strings.ContainsAny(pattern, `*?[\`)
		if literal && len(matches) == 0 {
			ld.missed(name, line, pattern)
		}
		for _, m := range matches {
			if err := ld.include(name, line, m, literal); err != nil {
				return err
			}
		}
	}
	return nil
}

// missed records a file that an include names without a wildcard and that
// does not exist.
func (ld *loader) missed(from string, line int, path string) {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	ld.missing = append(ld.missing, MissingInclude{Path: path, From: from, Line: line})
}

// include reads one file matched by an include pattern of the file from;
// literal tells a pattern without a wildcard.
func (ld *loader) include(from string, line int, path string, literal bool) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("config: %s:%d: include %s: %w", from, line, path, err)
	}
	if by, dup := ld.seen[abs]; dup {
		ld.warnings = append(ld.warnings, fmt.Sprintf("config: %s:%d: %s is included more than once (first by %s); skipped", from, line, abs, by))
		return nil
	}
	f, err := os.Open(abs)
	if errors.Is(err, fs.ErrNotExist) {
		if literal {
			ld.missed(from, line, abs)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("config: %s:%d: include %s: %w", from, line, abs, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		ld.warnings = append(ld.warnings, fmt.Sprintf("config: %s:%d: %s is a directory; skipped", from, line, abs))
		return nil
	}
	ld.seen[abs] = from
	return ld.read(abs, filepath.Dir(abs), f)
}

// hiddenMatch reports whether a wildcard element of pattern matched a name
// starting with "." in path. Python's glob (which ASAB uses for includes) does
// not match hidden files with "*", "?" or "[...]": only a pattern element that
// itself starts with "." does.
func hiddenMatch(pattern, path string) bool {
	pe := strings.Split(filepath.Clean(pattern), string(filepath.Separator))
	me := strings.Split(filepath.Clean(path), string(filepath.Separator))
	if len(pe) != len(me) {
		return false
	}
	for i := range pe {
		if strings.HasPrefix(me[i], ".") && !strings.HasPrefix(pe[i], ".") && strings.ContainsAny(pe[i], "*?[") {
			return true
		}
	}
	return false
}

// includeOf returns the raw [general] include value of one file and its line.
func includeOf(sections []*rawSection) (string, int) {
	for _, s := range sections {
		if s.name != "general" {
			continue
		}
		for _, k := range s.keys {
			if k.name == "include" {
				return k.value(), k.line
			}
		}
	}
	return "", 0
}

// splitIncludes splits an include list on newlines, other whitespace and ":",
// dropping empty items.
func splitIncludes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ':' || r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f'
	})
}
