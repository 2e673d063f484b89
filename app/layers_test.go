package app

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// modulePath is the import path of the repository's Go module.
const modulePath = "github.com/asabgo/asab"

// layers is the table of docs/architecture.md ("Layers and packages"): the
// layer of each package, by directory. A package not listed takes the
// layer of its nearest listed parent (mom/internal/x is at mom's layer).
var layers = map[string]int{
	"config": 0, "pubsub": 0, "module": 0, "internal": 0, "tracing/logtrace": 0,
	"registry": 1, "logging": 1,
	"app": 2,
	"web": 3, "sock": 3, "mom": 3, "timer": 3, "metrics": 3, "health": 3, "debug": 3, "pdict": 3, "tracing": 3,
	"asabtest": 4, "mom/momtest": 4,
	"examples": 5, "bench": 5, "scripts": 5,
}

// onlyImports narrows what a package may import below its layer.
var onlyImports = map[string][]string{
	// Every package's own tests may use asabtest, so it must not import
	// any module package.
	"asabtest": {"app", "pubsub", "config"},
}

// alsoImports widens what a package below layer 3 may import from its own
// layer: module's reload interfaces take a *config.Config.
var alsoImports = map[string][]string{
	"module": {"config"},
}

func layerOf(dir string) (int, bool) {
	for d := dir; d != "."; d = filepath.Dir(d) {
		if l, ok := layers[d]; ok {
			return l, true
		}
	}
	return 0, false
}

// TestPackagesImportOnlyDownwards checks the import rules of
// docs/architecture.md on every non-test Go file of the repository: a
// package imports asab packages of lower layers only, or of its own layer
// from layer 3 up (a module building on another, a test kit on another).
func TestPackagesImportOnlyDownwards(t *testing.T) {
	root := ".."
	imports := map[string]map[string]bool{} // package dir -> asab package dirs imported
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		if imports[rel] == nil {
			imports[rel] = map[string]bool{}
		}
		for _, spec := range f.Imports {
			p, _ := strconv.Unquote(spec.Path.Value)
			if p == modulePath || strings.HasPrefix(p, modulePath+"/") {
				imports[rel][strings.TrimPrefix(strings.TrimPrefix(p, modulePath), "/")] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(imports["app"]) == 0 || len(imports["web"]) == 0 {
		t.Fatalf("the walk found no imports of app or web: %v", imports)
	}
	var problems []string
	for pkg, deps := range imports {
		from, ok := layerOf(pkg)
		if !ok {
			problems = append(problems, pkg+": not in the layer table of docs/architecture.md (and of this test)")
			continue
		}
		for dep := range deps {
			to, ok := layerOf(dep)
			switch {
			case !ok:
				problems = append(problems, pkg+" imports "+dep+", which is not in the layer table")
			case to > from || (to == from && from < 3 && !contains(alsoImports[pkg], dep)):
				problems = append(problems, pkg+" (layer "+strconv.Itoa(from)+") imports "+dep+" (layer "+strconv.Itoa(to)+")")
			}
		}
		if only, ok := onlyImports[pkg]; ok {
			for dep := range deps {
				if !contains(only, dep) {
					problems = append(problems, pkg+" imports "+dep+"; it may import only "+strings.Join(only, ", "))
				}
			}
		}
	}
	sort.Strings(problems)
	if len(problems) > 0 {
		t.Fatalf("imports against docs/architecture.md:\n%s", strings.Join(problems, "\n"))
	}
}
