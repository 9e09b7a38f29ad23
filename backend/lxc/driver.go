// Package lxc is the lxc:///system driver: containers made of namespaces
// and cgroups from libvirt's LXC domain XML, with no daemon. Each running
// container has a controller process (virtsh re-executed in a hidden
// mode, like libvirt's libvirt_lxc) that outlives the command which
// started it; every other operation works from the runtime state files,
// so a killed controller never leaves a container unmanageable.
package lxc

import (
	"context"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/fsutil"
	"github.com/virtsh/virtsh/backend/hostinfo"
	"github.com/virtsh/virtsh/backend/netdrv"
	"github.com/virtsh/virtsh/backend/store"
	"libvirt.org/go/libvirtxml"
)

func init() {
	backend.Register("lxc", driver{})
}

type driver struct{}

// Open implements backend.Driver for lxc:///system (and lxc:///, which
// libvirt treats the same).
func (driver) Open(_ context.Context, u *url.URL, _ backend.OpenOptions) (backend.Conn, error) {
	if u.Host != "" || (u.Path != "" && u.Path != "/" && u.Path != "/system") {
		return nil, backend.InvalidArgument("unexpected LXC URI '%s': use lxc:///system", u.String())
	}
	if os.Geteuid() != 0 {
		return nil, backend.OperationFailed("lxc:///system needs root: containers are built from namespaces and cgroups only root can create (run virtsh as root)")
	}
	dirs := fsutil.DirsFor("lxc", true)
	if err := dirs.Create(); err != nil {
		return nil, backend.OperationFailed("cannot create the LXC state directories: %v", err)
	}
	defs, err := store.New("domain", dirs.Config, dirs.Run)
	if err != nil {
		return nil, err
	}
	live, err := liveStore(dirs)
	if err != nil {
		return nil, err
	}
	nets, err := netdrv.System()
	if err != nil {
		return nil, err
	}
	return &conn{uri: "lxc:///system", dirs: dirs, defs: defs, live: live, nets: nets}, nil
}

// liveDefs holds the live XML of active domains, in the run directory.
type liveDefs = *store.Store

func liveStore(dirs fsutil.Dirs) (liveDefs, error) {
	return store.New("domain", dirs.Run, dirs.Run)
}

type conn struct {
	uri  string
	dirs fsutil.Dirs
	defs *store.Store   // persistent definitions
	live liveDefs       // live XML of active domains
	nets *netdrv.Driver // the shared network driver (network:///system)
}

func (c *conn) URI() string                    { return c.uri }
func (c *conn) Domains() backend.DomainService { return &domains{c} }
func (c *conn) Close() error                   { return nil }

func (c *conn) Host() backend.HostService {
	return hostinfo.Service{Caps: capabilities, Ver: backend.Version{Hypervisor: "LXC", HypervisorVer: kernelVersion(), Library: 9000000}}
}

// Networks are the shared network driver's, as network:///system and
// qemu:///system see them (libvirt's monolithic daemon routes every
// connection's network calls to its one network driver); so are the
// host's interfaces.
func (c *conn) Networks() backend.NetworkService     { return c.nets }
func (c *conn) Interfaces() backend.InterfaceService { return netdrv.Interfaces() }
func (c *conn) Pools() backend.PoolService           { return noPools{} }
func (c *conn) Snapshots() backend.SnapshotService   { return noSnapshots{} }

// capabilities lists the exe guests this driver runs.
func capabilities(host libvirtxml.CapsHost) (*libvirtxml.Caps, error) {
	arch := hostinfo.Machine()
	word := "64"
	if !strings.Contains(arch, "64") {
		word = "32"
	}
	self, _ := os.Executable()
	return &libvirtxml.Caps{Host: host, Guests: []libvirtxml.CapsGuest{{
		OSType: "exe",
		Arch: libvirtxml.CapsGuestArch{
			Name: arch, WordSize: word, Emulator: self,
			Domains: []libvirtxml.CapsGuestDomain{{Type: "lxc"}},
		},
	}}}, nil
}

// kernelVersion is the running kernel as libvirt encodes versions, which
// is what its LXC driver reports as the hypervisor version.
func kernelVersion() uint64 {
	var u syscall.Utsname
	if syscall.Uname(&u) != nil {
		return 0
	}
	var b strings.Builder
	for _, c := range u.Release {
		if c == 0 {
			break
		}
		b.WriteByte(byte(c))
	}
	var v [3]uint64
	for i, part := range strings.SplitN(b.String(), ".", 3) {
		end := strings.IndexFunc(part, func(r rune) bool { return r < '0' || r > '9' })
		if end >= 0 {
			part = part[:end]
		}
		v[i], _ = strconv.ParseUint(part, 10, 64)
	}
	return v[0]*1000000 + v[1]*1000 + v[2]
}
