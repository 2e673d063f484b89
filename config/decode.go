package config

import (
	"encoding"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"time"
)

// KeySpec describes one key of a settings struct, as its field's tags declare
// it. [KeysOf] lists them, so that a test can check a package's documented
// key table against its struct.
//
// The tags of a field:
//
//	ini:"key"            the key (required; ini:"-" or no ini tag: not a key)
//	default:"text"       the value when the key is missing, in configuration syntax
//	required:"true"      a missing or empty key is an error
//	unit:"s"             float64: ASAB seconds ("500ms", "2m"); time.Duration always is
//	unit:"bytes"         integers: a size ("1048576", "64 kB", "1MiB"), see [ParseBytes]
//	min:"x" max:"y"      bounds of a number, duration or size, in the value's syntax
//	oneof:"a b c"        a string must be one of these words (any case; stored as listed)
//	split:"lines"        []string: one item per line ("comma": comma-separated;
//	                     default: split on any white space)
//	scheme:"amqp amqps"  *url.URL, url.URL: allowed schemes
//	doc:"text"           one line for the docs and for messages
type KeySpec struct {
	Key        string   // the key, lowercased
	Field      string   // the Go field name
	Type       string   // "string", "bool", "int", "float", "seconds", "duration", "size", "list", "url", or the Go type
	Default    string   // the default text (see HasDefault)
	HasDefault bool     // whether the field has a default tag
	Required   bool     // missing or empty is an error
	Unit       string   // "s", "bytes" or ""
	Min, Max   string   // bounds as written in the tags, "" for none
	OneOf      []string // allowed words of a string, nil for any
	Doc        string   // the doc tag

	index   []int
	typ     reflect.Type
	split   string
	schemes []string
	min     reflect.Value // parsed Min (invalid when none)
	max     reflect.Value
}

// KeysOf lists the keys that the settings struct v (a struct or a pointer to
// one) declares, in field order. An error reports a tag that makes no sense
// (an unknown unit, a bad default, a bound on a string, ...).
func KeysOf(v any) ([]KeySpec, error) {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("config: settings must be a struct or a pointer to one, not %T", v)
	}
	return specsOf(t)
}

func specsOf(t reflect.Type) ([]KeySpec, error) {
	var specs []KeySpec
	seen := map[string]string{}
	for _, f := range reflect.VisibleFields(t) {
		name, ok := f.Tag.Lookup("ini")
		if !ok || name == "-" || f.Anonymous {
			continue
		}
		if !f.IsExported() {
			return nil, fmt.Errorf("config: %s.%s: field with an ini tag must be exported", t, f.Name)
		}
		s, err := specOf(f)
		if err != nil {
			return nil, fmt.Errorf("config: %s.%s: %w", t, f.Name, err)
		}
		if other, dup := seen[s.Key]; dup {
			return nil, fmt.Errorf("config: %s.%s: key %q is also the key of field %s", t, f.Name, s.Key, other)
		}
		seen[s.Key] = f.Name
		specs = append(specs, s)
	}
	return specs, nil
}

func specOf(f reflect.StructField) (KeySpec, error) {
	tag := f.Tag
	s := KeySpec{
		Key: lowerKey(strings.TrimSpace(tag.Get("ini"))), Field: f.Name, Unit: tag.Get("unit"),
		Min: tag.Get("min"), Max: tag.Get("max"), Doc: tag.Get("doc"),
		index: f.Index, typ: f.Type, split: tag.Get("split"),
		schemes: strings.Fields(tag.Get("scheme")),
	}
	s.Default, s.HasDefault = tag.Lookup("default")
	if s.Key == "" {
		return s, errors.New("empty ini key")
	}
	switch r := tag.Get("required"); r {
	case "", "false":
	case "true":
		s.Required = true
	default:
		return s, fmt.Errorf("required = %q: want true or false", r)
	}
	if o := tag.Get("oneof"); o != "" {
		s.OneOf = strings.Fields(o)
	}
	kind, err := kindOf(f.Type, s.Unit)
	if err != nil {
		return s, err
	}
	s.Type = kind
	if s.split != "" && s.split != "lines" && s.split != "comma" && s.split != "fields" {
		return s, fmt.Errorf("split = %q: want lines, comma or fields", s.split)
	}
	if s.split != "" && kind != "list" {
		return s, fmt.Errorf("split applies to []string only")
	}
	if s.OneOf != nil && kind != "string" {
		return s, fmt.Errorf("oneof applies to string only")
	}
	if len(s.schemes) > 0 && kind != "url" {
		return s, fmt.Errorf("scheme applies to url.URL only")
	}
	for _, b := range []struct {
		text string
		dst  *reflect.Value
	}{{s.Min, &s.min}, {s.Max, &s.max}} {
		if b.text == "" {
			continue
		}
		if !ordered(kind) {
			return s, fmt.Errorf("min and max apply to numbers, durations and sizes, not %s", kind)
		}
		v := reflect.New(f.Type).Elem()
		if err := s.convert(b.text, v); err != nil {
			return s, fmt.Errorf("bound %q: %w", b.text, err)
		}
		*b.dst = v
	}
	if s.HasDefault {
		v := reflect.New(f.Type).Elem()
		if err := s.convert(s.Default, v); err != nil {
			return s, fmt.Errorf("default %q: %w", s.Default, err)
		}
		if err := s.check(s.Default, v); err != nil {
			return s, fmt.Errorf("default %q: %w", s.Default, err)
		}
	}
	return s, nil
}

// kindOf names the decoding of type t with unit, or reports an unsupported
// combination.
func kindOf(t reflect.Type, unit string) (string, error) {
	kind := ""
	switch {
	case t == reflect.TypeFor[time.Duration]():
		kind = "duration"
	case t == reflect.TypeFor[url.URL]() || t == reflect.TypeFor[*url.URL]():
		kind = "url"
	case t == reflect.TypeFor[[]string]():
		kind = "list"
	case reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]()):
		kind = t.String()
	default:
		switch t.Kind() {
		case reflect.String:
			kind = "string"
		case reflect.Bool:
			kind = "bool"
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			kind = "int"
			if unit == "bytes" {
				kind = "size"
			}
		case reflect.Float32, reflect.Float64:
			kind = "float"
			if unit == "s" {
				kind = "seconds"
			}
		default:
			return "", fmt.Errorf("type %s cannot be decoded from configuration", t)
		}
	}
	switch {
	case unit == "":
	case unit == "s" && (kind == "seconds" || kind == "duration"):
	case unit == "bytes" && kind == "size":
	default:
		return "", fmt.Errorf("unit %q does not apply to %s", unit, t)
	}
	return kind, nil
}

func ordered(kind string) bool {
	switch kind {
	case "int", "size", "float", "seconds", "duration":
		return true
	}
	return false
}

// convert parses text into dst (a settable value of the field's type).
func (s *KeySpec) convert(text string, dst reflect.Value) error {
	switch s.Type {
	case "string":
		dst.SetString(text)
		return nil
	case "bool":
		b, err := ParseBool(text)
		if err != nil {
			return err
		}
		dst.SetBool(b)
		return nil
	case "duration":
		d, err := ParseDuration(text)
		if err != nil {
			return err
		}
		dst.SetInt(int64(d))
		return nil
	case "seconds", "float":
		parse := parseFloat
		if s.Type == "seconds" {
			parse = ParseSeconds
		}
		f, err := parse(text)
		if err != nil {
			return err
		}
		if dst.OverflowFloat(f) {
			return fmt.Errorf("out of range for %s: %w", dst.Type(), ErrValue)
		}
		dst.SetFloat(f)
		return nil
	case "int", "size":
		return setInt(s.Type, text, dst)
	case "list":
		dst.Set(reflect.ValueOf(splitList(text, s.split)))
		return nil
	case "url":
		return setURL(text, s.schemes, dst)
	}
	u := dst.Addr().Interface().(encoding.TextUnmarshaler)
	if err := u.UnmarshalText([]byte(text)); err != nil {
		return fmt.Errorf("%w: %w", err, ErrValue)
	}
	return nil
}

func setInt(kind, text string, dst reflect.Value) error {
	var n int64
	var err error
	if kind == "size" {
		n, err = ParseBytes(text)
	} else {
		var i int
		i, err = parseInt(text)
		n = int64(i)
	}
	if err != nil {
		return err
	}
	switch dst.Kind() {
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if n < 0 || dst.OverflowUint(uint64(n)) {
			return fmt.Errorf("out of range for %s: %w", dst.Type(), ErrValue)
		}
		dst.SetUint(uint64(n))
	default:
		if dst.OverflowInt(n) {
			return fmt.Errorf("out of range for %s: %w", dst.Type(), ErrValue)
		}
		dst.SetInt(n)
	}
	return nil
}

func setURL(text string, schemes []string, dst reflect.Value) error {
	if strings.TrimFunc(text, isSpace) == "" {
		dst.SetZero() // an empty value is "no URL"; required:"true" refuses it
		return nil
	}
	norm, err := ParseURL(text, schemes...)
	if err != nil {
		return err
	}
	u, err := url.Parse(norm)
	if err != nil {
		return fmt.Errorf("not a URL: %w: %w", err, ErrValue)
	}
	if dst.Kind() == reflect.Pointer {
		dst.Set(reflect.ValueOf(u))
	} else {
		dst.Set(reflect.ValueOf(*u))
	}
	return nil
}

// splitList splits a list value: "lines" one item per line, "comma" on
// commas, otherwise on any white space; items are trimmed and empty ones
// dropped. An empty value is an empty (nil) list.
func splitList(text, split string) []string {
	var items []string
	switch split {
	case "lines":
		items = strings.Split(text, "\n")
	case "comma":
		items = strings.Split(text, ",")
	default:
		return strings.FieldsFunc(text, isSpace)
	}
	out := items[:0]
	for _, it := range items {
		if it = strings.TrimFunc(it, isSpace); it != "" {
			out = append(out, it)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// check applies required, oneof, min and max to a converted value v (text as
// read, for oneof).
func (s *KeySpec) check(text string, v reflect.Value) error {
	if s.Required && strings.TrimFunc(text, isSpace) == "" {
		return fmt.Errorf("must not be empty: %w", ErrValue)
	}
	if s.OneOf != nil {
		t := strings.TrimFunc(text, isSpace)
		i := slices.IndexFunc(s.OneOf, func(w string) bool { return strings.EqualFold(w, t) })
		if i < 0 {
			return fmt.Errorf("want one of %s: %w", strings.Join(s.OneOf, ", "), ErrValue)
		}
		v.SetString(s.OneOf[i])
	}
	if s.min.IsValid() && compare(v, s.min) < 0 {
		return fmt.Errorf("less than the minimum %s: %w", s.Min, ErrValue)
	}
	if s.max.IsValid() && compare(v, s.max) > 0 {
		return fmt.Errorf("more than the maximum %s: %w", s.Max, ErrValue)
	}
	return nil
}

// compare orders two numbers of the same kind.
func compare(a, b reflect.Value) int {
	switch a.Kind() {
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return cmpOrdered(a.Uint(), b.Uint())
	case reflect.Float32, reflect.Float64:
		return cmpOrdered(a.Float(), b.Float())
	}
	return cmpOrdered(a.Int(), b.Int())
}

func cmpOrdered[T int64 | uint64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Decode reads section into the settings struct that dst points to, one
// field per key as the fields' tags declare (see [KeySpec]). A missing key
// takes the field's default tag, or leaves the field as it is when there is
// none (so a caller may preset it); a missing required key is an error. Any
// other problem is an error too, never a silent default: a reference that
// cannot be resolved, a value that does not parse, one out of bounds. Each
// error names file:line (when the value came from a file), the section, the
// key and the quoted value; all of them are returned at once (errors.Join).
// Keys of [DEFAULT] apply as with Get. Decode does not look at keys the struct
// does not declare: see [Unknown].
func Decode(c *Config, section string, dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("config: Decode wants a non-nil pointer to a settings struct, not %T", dst)
	}
	specs, err := specsOf(rv.Elem().Type())
	if err != nil {
		return err
	}
	// One state for every key: a Decode that runs while a reload swaps the
	// configuration (ReplaceWith) reads all old values or all new ones.
	snap := c.snap.Load()
	var errs []error
	for i := range specs {
		if err := specs[i].decode(snap, section, rv.Elem()); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (s *KeySpec) decode(snap *snapshot, section string, sv reflect.Value) error {
	text, v, err := snap.get(section, s.Key)
	pos, raw := v.pos(), v.raw
	switch {
	case errors.Is(err, ErrNotFound) && s.Required:
		return fmt.Errorf("config: [%s] %s: required key is missing: %w", section, s.Key, ErrNotFound)
	case errors.Is(err, ErrNotFound) && !s.HasDefault:
		return nil
	case errors.Is(err, ErrNotFound):
		text, pos, raw = s.Default, "", s.Default
	case err != nil:
		return err
	}
	fv := reflect.New(s.typ).Elem()
	if err := s.convert(text, fv); err != nil {
		return badValue(pos, section, s.Key, raw, text, err)
	}
	if err := s.check(text, fv); err != nil {
		return badValue(pos, section, s.Key, raw, text, err)
	}
	f, err := sv.FieldByIndexErr(s.index)
	if err != nil {
		return fmt.Errorf("config: [%s] %s: field %s: %w", section, s.Key, s.Field, err) // a nil embedded pointer
	}
	f.Set(fv)
	return nil
}

// DefaultsOf returns the defaults that the settings struct v declares, as a
// section for [Config.AddDefaults], for a package that wants its defaults
// visible to ${section:key} references and to Get as well:
//
//	d, err := config.DefaultsOf(Settings{})
//	cfg.AddDefaults(map[string]map[string]any{"pdict": d})
func DefaultsOf(v any) (map[string]any, error) {
	specs, err := KeysOf(v)
	if err != nil {
		return nil, err
	}
	d := map[string]any{}
	for _, s := range specs {
		if s.HasDefault {
			d[s.Key] = s.Default
		}
	}
	return d, nil
}

// UnknownKey is a key of a section that the section's settings struct does
// not declare, with where it was read. A module logs it as a warning.
type UnknownKey struct {
	Section string   // the section
	Key     string   // the key, lowercased
	File    string   // the file it was read from
	Line    int      // its line in File
	Known   []string // the keys the struct declares
}

// String reads `app.conf:3: [web] unknown key "lisen" (known keys: listen,
// ...)`.
func (u UnknownKey) String() string {
	return fmt.Sprintf("%s:%d: [%s] unknown key %q (known keys: %s)", u.File, u.Line, u.Section, u.Key, strings.Join(u.Known, ", "))
}

// Unknown lists the keys that configuration files set in section and that
// the settings struct v does not declare (a typo such as "lisen" for
// "listen"), in the order they were first seen. Keys inherited from
// [DEFAULT] and keys set by code (Set, AddDefaults) are not listed: only the
// owner of a section, which knows all its keys, should call it.
func Unknown(c *Config, section string, v any) ([]UnknownKey, error) {
	specs, err := KeysOf(v)
	if err != nil {
		return nil, err
	}
	known := make([]string, len(specs))
	for i, s := range specs {
		known[i] = s.Key
	}
	snap := c.snap.Load()
	if snap == nil || snap.sections[section] == nil {
		return nil, nil
	}
	sec := snap.sections[section]
	var out []UnknownKey
	for _, k := range sec.keys {
		val := sec.vals[k]
		if val.file == "" || slices.Contains(known, k) {
			continue
		}
		out = append(out, UnknownKey{Section: section, Key: k, File: val.file, Line: val.line, Known: known})
	}
	return out, nil
}
