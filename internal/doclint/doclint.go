// Package doclint checks that a Go source tree documents what it exports.
//
// Every exported top-level function, type, constant and variable, every
// exported method of an exported type, every exported field of an exported
// struct type and every method of an exported interface type must carry a
// comment: a doc comment above it, or, for a field or an interface method,
// a comment at the end of its line. A constant or variable declared in a
// parenthesised group may lean on the group's doc comment, as Go's own
// documentation tools allow. Package main, _test.go files and directories
// named testdata or starting with "." or "_" are not checked.
//
// The module's own test runs Check over the whole tree, so an undocumented
// exported identifier fails `make test`.
package doclint

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
)

// Finding is one exported identifier without a comment.
type Finding struct {
	// Pos is where the identifier is declared.
	Pos token.Position
	// What names it with its kind: "func F", "method T.M", "type T",
	// "const C", "var V", "field T.F" or "interface method T.M".
	What string
}

// String renders f as "file:line:column: what has no doc comment".
func (f Finding) String() string {
	return fmt.Sprintf("%s: %s has no doc comment", f.Pos, f.What)
}

// Check parses every Go file under root (see the package doc for what is
// skipped) and returns the undocumented exported identifiers, sorted by
// file and line. A file that does not parse is an error naming it.
func Check(root string) ([]Finding, error) {
	var out []Finding
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && skipDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		found, err := checkFile(path)
		if err != nil {
			return err
		}
		out = append(out, found...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("doclint: %w", err)
	}
	slices.SortFunc(out, func(a, b Finding) int {
		if c := strings.Compare(a.Pos.Filename, b.Pos.Filename); c != 0 {
			return c
		}
		return a.Pos.Line - b.Pos.Line
	})
	return out, nil
}

// skipDir reports whether a directory's files are left out.
func skipDir(name string) bool {
	return name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// checkFile returns the findings of one file; package main has none.
func checkFile(path string) ([]Finding, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	if f.Name.Name == "main" {
		return nil, nil
	}
	var out []Finding
	report := func(id *ast.Ident, what string) {
		out = append(out, Finding{Pos: fset.Position(id.Pos()), What: what})
	}
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			checkFunc(d, report)
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					checkType(d, s, report)
				case *ast.ValueSpec:
					checkValue(d, s, report)
				}
			}
		}
	}
	return out, nil
}

// checkFunc reports an exported function, or an exported method of an
// exported type, without a doc comment.
func checkFunc(d *ast.FuncDecl, report func(*ast.Ident, string)) {
	if !d.Name.IsExported() || d.Doc != nil {
		return
	}
	if d.Recv == nil {
		report(d.Name, "func "+d.Name.Name)
		return
	}
	recv := receiverName(d.Recv.List[0].Type)
	if recv != nil && recv.IsExported() {
		report(d.Name, "method "+recv.Name+"."+d.Name.Name)
	}
}

// receiverName is the type name of a receiver: T, *T, T[P] or *T[P].
func receiverName(e ast.Expr) *ast.Ident {
	for {
		switch t := e.(type) {
		case *ast.StarExpr:
			e = t.X
		case *ast.IndexExpr:
			e = t.X
		case *ast.IndexListExpr:
			e = t.X
		case *ast.ParenExpr:
			e = t.X
		case *ast.Ident:
			return t
		default:
			return nil
		}
	}
}

// checkType reports an exported type without a doc comment and, for an
// exported struct or interface type, its undocumented exported fields and
// methods.
func checkType(d *ast.GenDecl, s *ast.TypeSpec, report func(*ast.Ident, string)) {
	if !s.Name.IsExported() {
		return
	}
	if s.Doc == nil && d.Doc == nil {
		report(s.Name, "type "+s.Name.Name)
	}
	var list *ast.FieldList
	kind := "field "
	switch t := s.Type.(type) {
	case *ast.StructType:
		list = t.Fields
	case *ast.InterfaceType:
		list, kind = t.Methods, "interface method "
	default:
		return
	}
	for _, field := range list.List {
		if field.Doc != nil || field.Comment != nil {
			continue
		}
		for _, name := range field.Names {
			if name.IsExported() {
				report(name, kind+s.Name.Name+"."+name.Name)
			}
		}
	}
}

// checkValue reports exported constants and variables that have neither
// their own comment nor a doc comment on their group.
func checkValue(d *ast.GenDecl, s *ast.ValueSpec, report func(*ast.Ident, string)) {
	if s.Doc != nil || s.Comment != nil || d.Doc != nil {
		return
	}
	for _, name := range s.Names {
		if name.IsExported() {
			report(name, d.Tok.String()+" "+name.Name)
		}
	}
}
