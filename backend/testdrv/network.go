package testdrv

import (
	"context"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"libvirt.org/go/libvirtxml"
)

// networkObj is one virtual network. newDef holds a definition given while
// the network runs; it takes effect when the network stops.
type networkObj struct {
	def        *libvirtxml.Network
	newDef     *libvirtxml.Network
	active     bool
	persistent bool
	autostart  bool
}

func (n *networkObj) info() backend.NetworkInfo {
	info := backend.NetworkInfo{
		Name: n.def.Name, UUID: n.def.UUID, Active: n.active, Persistent: n.persistent, Autostart: n.autostart,
	}
	if n.def.Bridge != nil {
		info.Bridge = n.def.Bridge.Name
	}
	return info
}

// parseNetwork parses network XML with libvirt's checks and defaults.
func parseNetwork(xmlText string) (*libvirtxml.Network, error) {
	root, err := parseTree([]byte(xmlText))
	if err != nil {
		return nil, backend.XMLError("%v", err)
	}
	if root.Name.Local != "network" {
		return nil, backend.XMLError("expecting root element of 'network', not '%s'", root.Name.Local)
	}
	n := &libvirtxml.Network{}
	if err := n.Unmarshal(xmlText); err != nil {
		return nil, backend.XMLError("%v", err)
	}
	if n.Name == "" {
		return nil, backend.Plain(backend.CodeXML, "missing name information")
	}
	if n.UUID == "" {
		n.UUID = newUUID()
	} else if !validUUID(n.UUID) {
		return nil, backend.XMLError("malformed uuid element")
	}
	return n, applyNetworkDefaults(n)
}

// applyNetworkDefaults completes forward and bridge as virNetworkDefParseXML.
func applyNetworkDefaults(n *libvirtxml.Network) error {
	mode := ""
	if n.Forward != nil {
		n.Forward.Mode = orDefault(n.Forward.Mode, "nat")
		mode = n.Forward.Mode
	}
	switch mode {
	case "", "nat", "route", "open":
		if (mode == "nat" || mode == "route") && len(n.IPs) == 0 {
			return backend.XMLError("%s forwarding requested, but no IP address provided for network '%s'", mode, n.Name)
		}
		if n.Bridge == nil {
			n.Bridge = &libvirtxml.NetworkBridge{}
		}
		n.Bridge.STP = orDefault(n.Bridge.STP, "on")
		n.Bridge.Delay = orDefault(n.Bridge.Delay, "0")
	}
	return nil
}

func (c *conn) networkByName(name string) (*networkObj, error) {
	if n := find(c.networks, func(n *networkObj) bool { return n.def.Name == name }); n != nil {
		return n, nil
	}
	return nil, backend.NoNetwork("no network with matching name '%s'", name)
}

func (c *conn) networkByUUID(uuid string) (*networkObj, error) {
	if n := find(c.networks, func(n *networkObj) bool { return strings.EqualFold(n.def.UUID, uuid) }); n != nil {
		return n, nil
	}
	return nil, backend.NoNetwork("no network with matching uuid '%s'", uuid)
}

// assignNetwork is virNetworkObjAssignDef: define (live false) or create a
// network from XML.
func (c *conn) assignNetwork(xmlText string, live bool) (*networkObj, error) {
	def, err := parseNetwork(xmlText)
	if err != nil {
		return nil, err
	}
	if n, err := c.networkByUUID(def.UUID); err == nil {
		return n, replaceNetworkDef(n, def, live)
	}
	if n, err := c.networkByName(def.Name); err == nil {
		return nil, backend.OperationFailed("network '%s' already exists with uuid %s", def.Name, n.def.UUID)
	}
	n := &networkObj{def: def, persistent: !live}
	c.networks = append(c.networks, n)
	return n, nil
}

func replaceNetworkDef(n *networkObj, def *libvirtxml.Network, live bool) error {
	switch {
	case n.def.Name != def.Name:
		return backend.OperationFailed("network '%s' is already defined with uuid %s", n.def.Name, def.UUID)
	case live && n.active:
		return backend.InvalidState("network is already active as '%s'", n.def.Name)
	case live:
		n.def = def
	case n.active:
		n.newDef, n.persistent = def, true
	default:
		n.def, n.persistent = def, true
	}
	return nil
}

type networkService struct{ c *conn }

func (s networkService) with(name string, fn func(*networkObj) error) error {
	return s.c.locked(func() error {
		n, err := s.c.networkByName(name)
		if err != nil {
			return err
		}
		return fn(n)
	})
}

func (s networkService) lookup(get func() (*networkObj, error)) (backend.NetworkInfo, error) {
	var info backend.NetworkInfo
	err := s.c.locked(func() error {
		n, err := get()
		if err == nil {
			info = n.info()
		}
		return err
	})
	return info, err
}

func (s networkService) List(context.Context) ([]backend.NetworkInfo, error) {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	out := make([]backend.NetworkInfo, 0, len(s.c.networks))
	for _, n := range s.c.networks {
		out = append(out, n.info())
	}
	return out, nil
}

func (s networkService) LookupByName(_ context.Context, name string) (backend.NetworkInfo, error) {
	return s.lookup(func() (*networkObj, error) { return s.c.networkByName(name) })
}

func (s networkService) LookupByUUID(_ context.Context, uuid string) (backend.NetworkInfo, error) {
	return s.lookup(func() (*networkObj, error) { return s.c.networkByUUID(uuid) })
}

func (s networkService) Define(_ context.Context, xml string, _ backend.DefineOptions) (backend.NetworkInfo, error) {
	return s.lookup(func() (*networkObj, error) { return s.c.assignNetwork(xml, false) })
}

func (s networkService) Create(_ context.Context, xml string, _ backend.DefineOptions) (backend.NetworkInfo, error) {
	return s.lookup(func() (*networkObj, error) {
		n, err := s.c.assignNetwork(xml, true)
		if err == nil {
			n.active = true
		}
		return n, err
	})
}

func (s networkService) Undefine(_ context.Context, name string) error {
	return s.with(name, func(n *networkObj) error {
		if n.active {
			return backend.InvalidState("Network '%s' is still running", name)
		}
		s.c.networks = remove(s.c.networks, n)
		return nil
	})
}

func (s networkService) Start(_ context.Context, name string) error {
	return s.with(name, func(n *networkObj) error {
		if n.active {
			return backend.InvalidState("Network '%s' is already running", name)
		}
		n.active = true
		return nil
	})
}

// Destroy, as libvirt's test driver, does not check that the network runs.
func (s networkService) Destroy(_ context.Context, name string) error {
	return s.with(name, func(n *networkObj) error {
		n.active = false
		if n.newDef != nil {
			n.def, n.newDef = n.newDef, nil
		}
		if !n.persistent {
			s.c.networks = remove(s.c.networks, n)
		}
		return nil
	})
}

func (s networkService) SetAutostart(_ context.Context, name string, on bool) error {
	return s.with(name, func(n *networkObj) error {
		n.autostart = on
		return nil
	})
}

func (s networkService) XML(_ context.Context, name string, opts backend.XMLOptions) (string, error) {
	if opts.Inactive {
		return "", unsupportedFlags(1, "testNetworkGetXMLDesc")
	}
	var out string
	err := s.with(name, func(n *networkObj) error {
		tree, err := marshalTree(n.def)
		if err != nil {
			return backend.Internal("cannot format network '%s': %v", name, err)
		}
		out = tree.format()
		return nil
	})
	return out, err
}
