package commands

import (
	"context"

	"github.com/virtsh/virtsh/backend"
)

// Helpers of the network commands that use optional capabilities
// (backend/network_ext.go): leases, updates, ports, host interfaces.

// networkCapability returns the connection's network service as
// capability T, or virsh's "unsupported" error naming the libvirt API.
func networkCapability[T any](ctx context.Context, env *Env, api string) (T, error) {
	var zero T
	conn, err := env.Conn(ctx)
	if err != nil {
		return zero, err
	}
	if c, ok := conn.Networks().(T); ok {
		return c, nil
	}
	return zero, backend.Unsupported("%s", api)
}

// hostInterfaces returns the connection's host interface service.
func hostInterfaces(ctx context.Context, env *Env) (backend.InterfaceService, error) {
	conn, err := env.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if h, ok := conn.(backend.HostInterfaces); ok && h.Interfaces() != nil {
		return h.Interfaces(), nil
	}
	return nil, backend.Unsupported("virConnectListAllInterfaces")
}
