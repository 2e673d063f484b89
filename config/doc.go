// Package config holds an application's INI configuration, read the way ASAB
// (Python) users expect from configparser, with ASAB's additions.
//
// A [Config] is a set of sections, each a set of keys with string values. It is
// filled, in increasing precedence, from defaults ([Config.AddDefaults], which
// only fills missing keys), the main file ([Config.LoadFile]), and the files that
// the main file lists in its [general] include key, depth-first, where a nested
// include beats the file that included it.
//
// The file syntax follows Python's configparser: keys are case-insensitive
// (stored lowercased), section names are case-sensitive, "=" and ":" separate a
// key from its value, lines starting with "#" or ";" are comments, there are no
// inline comments ("a = 1 # x" keeps "1 # x"), indented lines continue the
// previous value, and a [DEFAULT] section feeds every section. A key given twice
// in one section of one file, a section given twice in one file, a key outside any
// section and a line that is neither a header, a key nor a comment are errors that
// name the file and the line.
//
// Values are expanded twice. When a file is read, $VAR and ${VAR} are replaced
// from the environment and ${THIS_DIR} by the directory of the file being read
// (undefined variables are left alone). When a value is read with [Config.Get] or
// a typed getter, ASAB's extended interpolation applies: ${key} refers to a key of
// the same section (or [DEFAULT]), ${section:key} to a key of another section, and
// $$ stands for a literal $. A reference that resolves nowhere is an error naming
// the section and key; "%" has no special meaning.
//
// Typed getters (GetInt, GetFloat, GetBool, GetSeconds, GetDuration,
// GetMultiline, GetURL) return an error naming section, key and value when the
// value is bad. Each has an ...Or form whose fallback is used only when the key is
// missing, never to hide a bad value.
//
// A Config is safe for concurrent use. Readers see an immutable snapshot and take
// no lock; reading a plain value (one without "$") is an atomic load and two map
// lookups and does not allocate. Writers copy the sections they change and publish
// a new snapshot, so a load becomes visible all at once.
package config
