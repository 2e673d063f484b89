package asabtest

import (
	"os"
	"strings"
	"testing"

	"github.com/asabgo/asab/config"
)

// CheckKeyTable fails t when the key table of a doc page differs from the
// keys a settings struct declares (config.KeysOf): a key missing on either
// side, or another default. The table is the first one headed
// "| Key | Default | Meaning |" after marker in the file at path; a row's
// default is the first `literal` of its Default cell ("" for a cell
// without one, such as "(empty)").
func CheckKeyTable(t testing.TB, path, marker string, settings any) {
	t.Helper()
	rows := keyTable(t, path, marker)
	keys, err := config.KeysOf(settings)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(keys) {
		t.Errorf("%s lists %d keys, %T declares %d", path, len(rows), settings, len(keys))
	}
	for _, k := range keys {
		def, ok := rows[k.Key]
		if !ok {
			t.Errorf("%s lacks key %q", path, k.Key)
		} else if def != k.Default {
			t.Errorf("%s gives %q the default %q, %T %q", path, k.Key, def, settings, k.Default)
		}
	}
}

// keyTable reads the rows of the table CheckKeyTable describes: key →
// default.
func keyTable(t testing.TB, path, marker string) map[string]string {
	t.Helper()
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(doc), marker)
	if !ok {
		t.Fatalf("%s has no %q", path, marker)
	}
	_, after, ok = strings.Cut(after, "| Key | Default | Meaning |")
	if !ok {
		t.Fatalf("%s has no key table after %q", path, marker)
	}
	rows := map[string]string{}
	lines := strings.Split(after, "\n")
	if len(lines) < 2 {
		return rows
	}
	for _, line := range lines[2:] {
		if !strings.HasPrefix(line, "|") {
			break
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		def := ""
		if len(cells) > 1 {
			if f := strings.Split(cells[1], "`"); len(f) >= 3 {
				def = f[1]
			}
		}
		rows[strings.Trim(strings.TrimSpace(cells[0]), "`")] = def
	}
	return rows
}
