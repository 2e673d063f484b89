package sock_test

import (
	"context"
	"net"
	"testing"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/sock"
)

// TestCheckHealthFollowsListening: the service passes while its server
// listens and fails, naming the server, once the listeners closed.
func TestCheckHealthFollowsListening(t *testing.T) {
	a := app.New(app.WithArgs())
	defer a.Release()
	s, err := sock.NewService(a, "test.sock")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := s.CreateServer(context.Background(), func(context.Context, net.Conn) {}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CheckHealth(context.Background()); err != nil {
		t.Fatalf("listening server: %v", err)
	}
	srv.CloseListeners()
	if err := s.CheckHealth(context.Background()); err == nil {
		t.Fatal("CheckHealth passes after CloseListeners")
	}
	_ = s.Finalize(context.Background())
}
