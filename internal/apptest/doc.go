// Package apptest is the former in-project test kit, kept as a thin layer
// over the public [asabtest] package until the tests that import it move to
// asabtest.
//
// Deprecated: use github.com/asabgo/asab/asabtest.
package apptest
