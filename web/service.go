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

// Module is the web module's factory for app.Application.AddModule: it
// builds the Service with [NewService] and registers it as
// "asab.WebService". It returns no module: the Service carries the
// lifecycle.
func Module(a *app.Application) (any, error) {
	svc, err := NewService(a)
	if err != nil {
		return nil, err
	}
	if err := a.RegisterService(ServiceName, svc); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	return nil, nil
}

// NewService reads [web] (see [Settings]) and builds the default container's
// Service; it does not register it (Module does). A program that wants a
// second container registers its own with [NewContainer].
func NewService(a *app.Application) (*Service, error) {
	c, err := newContainer(a, Section)
	if err != nil {
		return nil, err
	}
	return &Service{Container: c}, nil
}
