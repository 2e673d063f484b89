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
// (stored lowercased as Python's str.lower does), section names are
// case-sensitive, "\r\n", "\r" and "\n" all end a line, files must be UTF-8,
// "=" and ":" separate a key from its value, lines starting with "#" or ";" are
// comments, there are no inline comments ("a = 1 # x" keeps "1 # x"), indented
// lines continue the previous value, and a [DEFAULT] section (which one file
// may give twice) feeds every section. A key given twice in one section of one
// file, another section given twice in one file, a key outside any section and
// a line that is neither a header, a key nor a comment are errors that name the
// file and the line.
//
// Values are expanded twice. When a file is read, $VAR and ${VAR} are replaced
// from the environment and ${THIS_DIR} by the directory of the file being read
// (undefined variables are left alone). When a value is read with [Config.Get] or
// a typed getter, ASAB's extended interpolation applies: ${key} refers to a key of
// the same section (or [DEFAULT]), ${section:key} to a key of another section, and
// $$ stands for a literal $. A reference that resolves nowhere is an error naming
// the section and key; "%" has no special meaning.
//
// A module reads its section in one call with [Decode], into a settings
// struct whose field tags declare each key, its default, unit and bounds; the
// struct is the one place the section's defaults are defined. [Unknown] lists
// the keys a file set that the struct does not declare, for a warning, and
// [KeysOf] lists the declared keys, for docs and the tests that check them.
//
// Typed getters (GetInt, GetFloat, GetBool, GetSeconds, GetDuration,
// GetMultiline, GetURL) read single keys. No getter hides an error: each ...Or
// form (GetOr included) returns its fallback only when the key is missing, and
// an interpolation error or a bad value is an error naming the file and line,
// the section, the key and the quoted value.
//
// The file syntax and the getters follow Python ASAB; the few intentional
// differences are listed in docs/config.md. Files over [MaxFileSize] and
// lines over [MaxLineSize] are refused.
//
// A Config is safe for concurrent use. Readers see an immutable snapshot and take
// no lock; reading a plain value (one without "$") is an atomic load and two map
// lookups and does not allocate. Writers copy the sections they change and publish
// a new snapshot, so a load becomes visible all at once.
package config
