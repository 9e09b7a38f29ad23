package lxc

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/devicexml"
	"golang.org/x/sys/unix"
	"libvirt.org/go/libvirtxml"
)

// Disks of containers, as libvirt's LXC driver has them: a host block
// device (<disk type='block'>) becomes a node of the container's /dev
// named after its target, which the devices cgroup lets the container
// read (and write, unless <readonly/>).

// diskNode is one disk's node in the container's /dev.
type diskNode struct {
	Target   string `json:"target"` // the node's name in /dev
	Source   string `json:"source"` // the host's block device
	Major    uint32 `json:"major"`
	Minor    uint32 `json:"minor"`
	ReadOnly bool   `json:"readonly,omitempty"`
}

// rule is the devices cgroup rule that lets the container use the node.
func (n diskNode) rule() string {
	access := "rw"
	if n.ReadOnly {
		access = "r"
	}
	return fmt.Sprintf("b %d:%d %s", n.Major, n.Minor, access)
}

// reservedDev says whether name is one of the container's own /dev
// entries, which setupDev makes.
func reservedDev(name string) bool {
	if _, ok := devLinks[name]; ok || slices.Contains(devOthers, name) {
		return true
	}
	return slices.ContainsFunc(devNodes, func(n devNode) bool { return n.name == name })
}

// validateDisk accepts a host block device with a target that names a
// node of /dev.
func validateDisk(d *libvirtxml.DomainDisk) error {
	target := ""
	if d.Target != nil {
		target = d.Target.Dev
	}
	if d.Source == nil || d.Source.Block == nil || d.Source.Block.Dev == "" {
		return backend.ConfigUnsupported("disk %s: only disks of type 'block' (a host block device, <source dev=.../>) are supported in containers", target)
	}
	if !path.IsAbs(d.Source.Block.Dev) {
		return backend.ConfigUnsupported("disk %s: source dev '%s' must be an absolute host path", target, d.Source.Block.Dev)
	}
	if d.Device != "" && d.Device != "disk" {
		return backend.ConfigUnsupported("disk %s: device '%s' is not supported in containers (only 'disk')", target, d.Device)
	}
	if target == "" || strings.Contains(target, "/") || target == "." || target == ".." {
		return backend.ConfigUnsupported("disk %s needs a <target dev=.../> that names its node in the container's /dev", d.Source.Block.Dev)
	}
	if reservedDev(target) {
		return backend.ConfigUnsupported("disk %s: /dev/%s is the container's own", d.Source.Block.Dev, target)
	}
	if d.Driver != nil {
		return backend.ConfigUnsupported("disk %s: <driver> is not supported in containers", target)
	}
	return nil
}

// nodeOf stats a disk's source, which must be a block device.
func nodeOf(d *libvirtxml.DomainDisk) (diskNode, error) {
	src := d.Source.Block.Dev
	var st unix.Stat_t
	if err := unix.Stat(src, &st); err != nil {
		return diskNode{}, backend.OperationFailed("Unable to access %s: %v", src, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFBLK {
		return diskNode{}, backend.ConfigUnsupported("Disk source %s must be a block device", src)
	}
	return diskNode{Target: d.Target.Dev, Source: src, Major: unix.Major(st.Rdev), Minor: unix.Minor(st.Rdev), ReadOnly: d.ReadOnly != nil}, nil
}

// diskNodes are the nodes of every disk of d.
func diskNodes(d *libvirtxml.Domain) ([]diskNode, error) {
	var out []diskNode
	for i := range d.Devices.Disks {
		n, err := nodeOf(&d.Devices.Disks[i])
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// containerDev opens the container's /dev (of process pid) through its
// root, resolving every path component inside the container, never on
// the host, and refusing symlinks.
func containerDev(pid int) (int, error) {
	root, err := unix.Open("/proc/"+strconv.Itoa(pid)+"/root", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("cannot open the container's root: %v", err)
	}
	defer unix.Close(root)
	fd, err := unix.Openat2(root, "dev", &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	})
	if err != nil {
		return -1, fmt.Errorf("cannot open the container's /dev: %v", err)
	}
	return fd, nil
}

// mknodIn creates the node in the /dev of the container whose init is pid.
func mknodIn(pid int, n diskNode) error {
	dev, err := containerDev(pid)
	if err != nil {
		return err
	}
	defer unix.Close(dev)
	if err := unix.Mknodat(dev, n.Target, unix.S_IFBLK|0o600, int(unix.Mkdev(n.Major, n.Minor))); err != nil {
		return fmt.Errorf("Unable to create device /dev/%s: %v", n.Target, err)
	}
	return nil
}

// deviceIn is the device number of block node /dev/target in the
// container whose init is pid: what the container was given, whatever
// the host's path names now.
func deviceIn(pid int, target string) (major, minor uint32, err error) {
	dev, err := containerDev(pid)
	if err != nil {
		return 0, 0, err
	}
	defer unix.Close(dev)
	var st unix.Stat_t
	if err := unix.Fstatat(dev, target, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return 0, 0, fmt.Errorf("cannot find /dev/%s in the container: %v", target, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFBLK {
		return 0, 0, fmt.Errorf("/dev/%s in the container is not a block device", target)
	}
	return unix.Major(st.Rdev), unix.Minor(st.Rdev), nil
}

// holder is the target of the disk of the running container o that is
// host device major:minor, or "": the devices cgroup allows and denies a
// device, not a node, so two disks of one device cannot be told apart.
func holder(o *domObj, major, minor uint32) string {
	for _, d := range o.def.Devices.Disks {
		if maj, mnr, err := deviceIn(o.st.InitPID, d.Target.Dev); err == nil && maj == major && mnr == minor {
			return d.Target.Dev
		}
	}
	return ""
}

// unlinkIn removes /dev/target from the container whose init is pid.
func unlinkIn(pid int, target string) error {
	dev, err := containerDev(pid)
	if err != nil {
		return err
	}
	defer unix.Close(dev)
	if err := unix.Unlinkat(dev, target, 0); err != nil && err != syscall.ENOENT {
		return fmt.Errorf("Unable to remove device /dev/%s: %v", target, err)
	}
	return nil
}

// liveDisksPossible says why disks cannot be attached to or detached
// from a running container, if they cannot.
func liveDisksPossible(o *domObj, target string) error {
	if o.def.IDMap != nil {
		return backend.ConfigUnsupported("disk %s: a container with <idmap> cannot be given a disk live (host root cannot make device nodes it may use); change the definition with --config and restart it", target)
	}
	if o.st.Cgroup == nil || o.st.Cgroup.V2 {
		return backend.ConfigUnsupported("disk %s: live disk changes need the cgroup v1 devices controller (on cgroup v2 the container's device filter is fixed at start); change the definition with --config and restart the container", target)
	}
	return nil
}

// plugDisk gives a running container a disk, as libvirt's
// lxcDomainAttachDeviceDiskLive does: the devices cgroup allows it, its
// node is made in the container's /dev; the live XML records it. A
// failure undoes what was done.
func (s *domains) plugDisk(o *domObj, disk libvirtxml.DomainDisk) error {
	if err := validateDisk(&disk); err != nil {
		return err
	}
	target := disk.Target.Dev
	if devicexml.DiskByTarget(o.def, target) >= 0 {
		return backend.OperationFailed("target %s already exists", target)
	}
	if err := liveDisksPossible(o, target); err != nil {
		return err
	}
	n, err := nodeOf(&disk)
	if err != nil {
		return err
	}
	if t := holder(o, n.Major, n.Minor); t != "" {
		return backend.OperationFailed("disk %s is already attached to the container as %s", n.Source, t)
	}
	g := o.st.Cgroup
	if err := g.AllowDevice(n.rule()); err != nil {
		return backend.OperationFailed("%v", err)
	}
	if err := mknodIn(o.st.InitPID, n); err != nil {
		g.DenyDevice(n.rule())
		return backend.OperationFailed("%v", err)
	}
	o.def.Devices.Disks = append(o.def.Devices.Disks, disk)
	if err := s.writeLive(o.def); err != nil {
		unlinkIn(o.st.InitPID, target)
		g.DenyDevice(n.rule())
		return err
	}
	return nil
}

// unplugDisk takes a disk (by target or source) from a running
// container, as libvirt's lxcDomainDetachDeviceDiskLive does: its node
// is removed from the container's /dev and the devices cgroup denies it.
// The device denied is the node's own, not what the source path names on
// the host now (a by-id link may name another device, or none).
func (s *domains) unplugDisk(o *domObj, name string) error {
	i := devicexml.DiskByName(o.def, name)
	if i < 0 {
		return backend.OperationFailed("disk %s not found", name)
	}
	disk := o.def.Devices.Disks[i]
	if err := liveDisksPossible(o, disk.Target.Dev); err != nil {
		return err
	}
	target := disk.Target.Dev
	major, minor, err := deviceIn(o.st.InitPID, target)
	if err != nil {
		return backend.OperationFailed("%v", err)
	}
	if err := unlinkIn(o.st.InitPID, target); err != nil {
		return backend.OperationFailed("%v", err)
	}
	if err := o.st.Cgroup.DenyDevice(fmt.Sprintf("b %d:%d rwm", major, minor)); err != nil {
		return backend.OperationFailed("cannot deny device %d:%d (/dev/%s) to the container: %v", major, minor, target, err)
	}
	o.def.Devices.Disks = append(o.def.Devices.Disks[:i], o.def.Devices.Disks[i+1:]...)
	return s.writeLive(o.def)
}

// makeDiskNodes creates the disks' nodes in the container's new /dev,
// from inside (__lxc-init); in a user namespace, where mknod is not
// allowed, it binds the host's nodes instead.
func makeDiskNodes(s *containerSpec) error {
	for _, n := range s.Disks {
		p := "/dev/" + n.Target
		if s.UserNS {
			if err := bindFile(path.Join(oldRoot, n.Source), p); err != nil {
				return err
			}
			continue
		}
		if err := unix.Mknod(p, unix.S_IFBLK|0o600, int(unix.Mkdev(n.Major, n.Minor))); err != nil {
			return fmt.Errorf("cannot create %s: %v", p, err)
		}
	}
	return nil
}
