package commands

import (
	"context"

	"github.com/virtsh/virtsh/backend"
)

// Helpers of the network commands that use optional capabilities
// (backend/network_ext.go): leases, updates, ports, host interfaces.

func init() {
	// Options of these commands whose values are made up by the user.
	// (complete.go could complete net-update's command and section
	// words; until then they complete to nothing rather than to files.)
	for _, name := range []string{"mac", "section", "parent-index", "bridge", "delay"} {
		freeText[name] = true
	}
}

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
