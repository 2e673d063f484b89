package registry_test

import (
	"context"
	"fmt"

	"github.com/asabgo/asab/registry"
)

type Database struct{}

type WebService struct{}

// DependsOn makes the web service initialize after the database.
func (WebService) DependsOn() []string { return []string{"app.Database"} }

func (WebService) Initialize(context.Context) error { return nil }

func Example() {
	r := registry.New()
	_ = r.Register("app.WebService", WebService{})
	_ = r.Register("app.Database", &Database{})

	db, err := registry.ByType[*Database](r)
	fmt.Println(db != nil, err)

	db, err = registry.Get[*Database](r, "app.Database")
	fmt.Println(db != nil, err)

	_, err = registry.Get[*Database](r, "app.WebService")
	fmt.Println(err)

	order, _ := r.Order()
	fmt.Println(order)
	// Output:
	// true <nil>
	// true <nil>
	// service "app.WebService" is registry_test.WebService, not *registry_test.Database: service has another type
	// [app.Database app.WebService]
}
