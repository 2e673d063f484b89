package registry

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
)

type plain struct{ name string }

type dependent struct{ deps []string }

func (d dependent) DependsOn() []string { return d.deps }
func (d dependent) Initialize(context.Context) error {
	return nil
}

func TestRegisterRejectsDuplicatesEmptyAndNil(t *testing.T) {
	r := New()
	if err := r.Register("a", &plain{}); err != nil {
		t.Fatal(err)
	}
	err := r.Register("a", &plain{})
	if !errors.Is(err, ErrDuplicate) {
		t.Fatalf("duplicate: got %v", err)
	}
	if err := r.Register("", &plain{}); err == nil {
		t.Fatal("empty name accepted")
	}
	if err := r.Register("b", nil); err == nil {
		t.Fatal("nil service accepted")
	}
	if got := r.Names(); !reflect.DeepEqual(got, []string{"a"}) {
		t.Fatalf("names %v", got)
	}
}

func TestGetIsTypedAndNamesTheProblem(t *testing.T) {
	r := New()
	p := &plain{name: "x"}
	_ = r.Register("svc", p)
	got, err := Get[*plain](r, "svc")
	if err != nil || got != p {
		t.Fatalf("Get = %v, %v", got, err)
	}
	_, err = Get[*plain](r, "missing")
	if !errors.Is(err, ErrNotFound) || !contains(err.Error(), `"missing"`) {
		t.Fatalf("missing: %v", err)
	}
	_, err = Get[fmt.Stringer](r, "svc")
	if !errors.Is(err, ErrWrongType) || !contains(err.Error(), `"svc"`) {
		t.Fatalf("wrong type: %v", err)
	}
}

func TestOrder(t *testing.T) {
	cases := []struct {
		name    string
		regs    []string
		deps    map[string][]string
		want    []string
		wantErr string
	}{
		{"registration order", []string{"c", "a", "b"}, nil, []string{"c", "a", "b"}, ""},
		{"dependency moves later", []string{"web", "db", "cache"}, map[string][]string{"web": {"db", "cache"}}, []string{"db", "cache", "web"}, ""},
		{"chain", []string{"a", "b", "c"}, map[string][]string{"a": {"b"}, "b": {"c"}}, []string{"c", "b", "a"}, ""},
		{"missing dependency", []string{"a"}, map[string][]string{"a": {"ghost"}}, nil, `"a" depends on "ghost"`},
		{"cycle", []string{"a", "b", "c"}, map[string][]string{"a": {"b"}, "b": {"a"}}, nil, `cycle`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := New()
			for _, n := range tc.regs {
				var svc any = &plain{name: n}
				if d, ok := tc.deps[n]; ok {
					svc = dependent{deps: d}
				}
				if err := r.Register(n, svc); err != nil {
					t.Fatal(err)
				}
			}
			got, err := r.Order()
			if tc.wantErr != "" {
				if !errors.Is(err, ErrDependency) || !contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Order = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestConcurrentRegisterAndLookup(t *testing.T) {
	r := New()
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(2)
		go func() { defer wg.Done(); _ = r.Register(fmt.Sprint("s", i), &plain{}) }()
		go func() { defer wg.Done(); r.Lookup(fmt.Sprint("s", i)); r.Names() }()
	}
	wg.Wait()
	if r.Len() != 50 {
		t.Fatalf("len %d", r.Len())
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func BenchmarkGet(b *testing.B) {
	r := New()
	_ = r.Register("asab.WebService", &plain{})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Get[*plain](r, "asab.WebService"); err != nil {
			b.Fatal(err)
		}
	}
}

type namer interface{ Name() string }

func (p *plain) Name() string { return p.name }

func TestByTypeFindsTheOneServiceOfAType(t *testing.T) {
	r := New()
	db := &plain{name: "db"}
	if err := r.Register("app.Database", db); err != nil {
		t.Fatal(err)
	}
	if err := r.Register("app.Web", dependent{}); err != nil {
		t.Fatal(err)
	}
	got, err := ByType[*plain](r)
	if err != nil || got != db {
		t.Fatalf("ByType[*plain] = %p, %v; want %p", got, err, db)
	}
	n, err := ByType[namer](r)
	if err != nil || n.Name() != "db" {
		t.Fatalf("ByType[namer] = %v, %v", n, err)
	}
	_, err = ByType[*strings.Builder](r)
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "*strings.Builder") {
		t.Fatalf("no service of the type: %v", err)
	}
	if err := r.Register("app.Cache", &plain{name: "cache"}); err != nil {
		t.Fatal(err)
	}
	_, err = ByType[*plain](r)
	if !errors.Is(err, ErrAmbiguous) || !strings.Contains(err.Error(), `["app.Database" "app.Cache"]`) {
		t.Fatalf("two services of the type: %v", err)
	}
	// By name still tells the two apart.
	if c, err := Get[*plain](r, "app.Cache"); err != nil || c.name != "cache" {
		t.Fatalf("Get by name: %v, %v", c, err)
	}
}
