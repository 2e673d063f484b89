package web

import (
	"fmt"

	"github.com/asabgo/asab/app"
)

// ServiceName is the name under which Module registers the Service.
const ServiceName = "asab.WebService"

// Service is asab.WebService: the default web container, configured from
// section [web]. Its Echo method returns the echo instance to add routes to.
type Service struct {
	*Container
}

// webModule is the value Module returns; the lifecycle belongs to the
// Service, so the module itself has no hooks.
type webModule struct{ svc *Service }

// Module is the web module's factory for app.Application.AddModule: it reads
// [web] (defaults in [Defaults]) and registers the Service as
// "asab.WebService".
func Module(a *app.Application) (any, error) {
	c, err := newContainer(a, "web")
	if err != nil {
		return nil, err
	}
	svc := &Service{Container: c}
	if err := a.RegisterService(ServiceName, svc); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	return &webModule{svc: svc}, nil
}
