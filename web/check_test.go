package web_test

import (
	"context"
	"testing"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/web"
)

// TestCheckHealthFollowsListening: a container fails its check before
// Initialize binds the listeners and passes once they listen.
func TestCheckHealthFollowsListening(t *testing.T) {
	a := app.New(app.WithArgs(), app.WithConfigString("[web:x]\nlisten=127.0.0.1 0\n"))
	defer a.Release()
	c, err := web.NewContainer(a, "web:x")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckHealth(context.Background()); err == nil {
		t.Fatal("CheckHealth passes before Initialize")
	}
	if err := c.Initialize(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := c.CheckHealth(context.Background()); err != nil {
		t.Fatalf("listening container: %v", err)
	}
	_ = c.Finalize(context.Background())
	if err := c.CheckHealth(context.Background()); err == nil {
		t.Fatal("CheckHealth passes after Finalize closed the listeners")
	}
}
