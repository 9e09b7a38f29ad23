package lxc

import (
	"path"
	"sort"
	"strings"

	"libvirt.org/go/libvirtxml"
)

// containerSpec is what the container's first process (__lxc-init) needs
// to assemble the container from inside its new namespaces. The controller
// builds it from the domain XML and sends it over a pipe.
type containerSpec struct {
	Name         string      `json:"name"`
	UUID         string      `json:"uuid"`
	Staging      string      `json:"staging"` // host directory the root is assembled on
	Root         string      `json:"root"`    // host directory of the root filesystem
	RootReadOnly bool        `json:"root_readonly"`
	Mounts       []mountSpec `json:"mounts"`
	Disks        []diskNode  `json:"disks,omitempty"` // block devices to make in /dev
	Console      string      `json:"console"`         // host path of the console pty
	UserNS       bool        `json:"userns"`
	Argv         []string    `json:"argv"`
	Env          []string    `json:"env"`
	Dir          string      `json:"dir"`
}

// mountSpec is one <filesystem> other than the root.
type mountSpec struct {
	Kind      string `json:"kind"`   // "host" (a host directory), "bind" (a container directory), "ram"
	Source    string `json:"source"` // host or container path
	Target    string `json:"target"`
	ReadOnly  bool   `json:"readonly"`
	SizeBytes uint64 `json:"size_bytes,omitempty"`
}

// buildSpec turns the definition into a container spec. Without a
// filesystem for "/", the container shares the host's root (with its own
// /proc, /sys and /dev), as in libvirt.
func buildSpec(d *libvirtxml.Domain, staging, console string) containerSpec {
	s := containerSpec{
		Name: d.Name, UUID: d.UUID, Staging: staging, Root: "/", Console: console,
		UserNS: d.IDMap != nil, Dir: "/",
	}
	if d.OS.InitDir != "" {
		s.Dir = d.OS.InitDir
	}
	s.Argv = append([]string{d.OS.Init}, d.OS.InitArgs...)
	// libvirt's lxcContainerSetupEnv: the same variables, then <initenv>.
	s.Env = []string{
		"PATH=/bin:/usr/bin:/sbin:/usr/sbin",
		"container=lxc-libvirt",
		"container_uuid=" + d.UUID,
		"LIBVIRT_LXC_UUID=" + d.UUID,
		"LIBVIRT_LXC_NAME=" + d.Name,
		"TERM=linux",
		"HOME=/",
	}
	for _, e := range d.OS.InitEnv {
		s.Env = append(s.Env, e.Name+"="+e.Value)
	}
	for _, fs := range d.Devices.Filesystems {
		target := path.Clean(fs.Target.Dir)
		ro := fs.ReadOnly != nil
		switch {
		case target == "/" && fs.Source.Mount != nil:
			s.Root, s.RootReadOnly = fs.Source.Mount.Dir, ro
		case fs.Source.Mount != nil:
			s.Mounts = append(s.Mounts, mountSpec{Kind: "host", Source: fs.Source.Mount.Dir, Target: target, ReadOnly: ro})
		case fs.Source.Bind != nil:
			s.Mounts = append(s.Mounts, mountSpec{Kind: "bind", Source: fs.Source.Bind.Dir, Target: target, ReadOnly: ro})
		case fs.Source.RAM != nil:
			size, _ := memoryBytes(fs.Source.RAM.Usage, fs.Source.RAM.Units)
			s.Mounts = append(s.Mounts, mountSpec{Kind: "ram", Target: target, ReadOnly: ro, SizeBytes: size})
		}
	}
	// Parents before children: /srv before /srv/data.
	sort.SliceStable(s.Mounts, func(i, j int) bool {
		return strings.Count(s.Mounts[i].Target, "/") < strings.Count(s.Mounts[j].Target, "/")
	})
	return s
}
