package commands

import (
	"context"
	"io"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/format"
	"libvirt.org/go/libvirtxml"
)

// domblklist and domiflist read the domain XML, as virsh does.

// blockDeviceJSON is one row of domblklist's data output.
type blockDeviceJSON struct {
	Type   string `json:"type"`   // file, block, network, dir, volume, ...
	Device string `json:"device"` // disk, cdrom, floppy, lun
	Target string `json:"target"`
	Source string `json:"source"` // "" when the disk has none
}

// interfaceJSON is one row of domiflist's data output.
type interfaceJSON struct {
	Interface string `json:"interface"` // the host-side device; "" when unknown
	Type      string `json:"type"`
	Source    string `json:"source"`
	Model     string `json:"model"`
	MAC       string `json:"mac"`
}

// domainDevices looks the domain up and parses its XML, the persistent
// definition with inactive.
func domainDevices(ctx context.Context, env *Env, key string, inactive bool) (*libvirtxml.DomainDeviceList, error) {
	conn, d, err := lookupDomain(ctx, env, key)
	if err != nil {
		return nil, err
	}
	doc, err := conn.Domains().XML(ctx, d.Name, backend.XMLOptions{Inactive: inactive})
	if err != nil {
		return nil, backendError(err)
	}
	var def libvirtxml.Domain
	if err := def.Unmarshal(doc); err != nil {
		return nil, backendError(backend.XMLError("%v", err))
	}
	if def.Devices == nil {
		return &libvirtxml.DomainDeviceList{}, nil
	}
	return def.Devices, nil
}

func newDomblklistCmd(env *Env) *cobra.Command {
	var o struct {
		domain            string
		inactive, details bool
	}
	cmd := &cobra.Command{
		Use:   "domblklist",
		Short: "list all domain blocks",
		Long:  "Get the summary of block devices for a domain.",
	}
	domainArg(cmd, &o.domain)
	cmd.Flags().BoolVar(&o.inactive, "inactive", false, "get inactive rather than running configuration")
	cmd.Flags().BoolVar(&o.details, "details", false, "additionally display the type and device value")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		devs, err := domainDevices(c.Context(), env, o.domain, o.inactive)
		if err != nil {
			return err
		}
		disks := make([]blockDeviceJSON, 0, len(devs.Disks))
		for _, disk := range devs.Disks {
			if disk.Target == nil || disk.Target.Dev == "" {
				return userError(backend.CodeXML, "unable to query block list")
			}
			typ, source := diskSource(disk.Source)
			disks = append(disks, blockDeviceJSON{Type: typ, Device: disk.Device, Target: disk.Target.Dev, Source: source})
		}
		return env.emit(disks, func(w io.Writer) {
			header := []string{"Target", "Source"}
			if o.details {
				header = []string{"Type", "Device", "Target", "Source"}
			}
			rows := make([][]string, 0, len(disks))
			for _, d := range disks {
				row := []string{d.Target, orMinus(d.Source)}
				if o.details {
					row = append([]string{d.Type, d.Device}, row...)
				}
				rows = append(rows, row)
			}
			format.Table(w, header, rows, env.Quiet)
		})
	}
	return cmd
}

// diskSource returns a disk's type and what virsh shows as its source
// (source/@file|@dev|@dir|@name|@volume).
func diskSource(s *libvirtxml.DomainDiskSource) (typ, source string) {
	switch {
	case s == nil:
		return "file", ""
	case s.File != nil:
		return "file", s.File.File
	case s.Block != nil:
		return "block", s.Block.Dev
	case s.Dir != nil:
		return "dir", s.Dir.Dir
	case s.Network != nil:
		return "network", s.Network.Name
	case s.Volume != nil:
		return "volume", s.Volume.Volume
	case s.NVME != nil:
		return "nvme", ""
	case s.VHostUser != nil:
		return "vhostuser", ""
	case s.VHostVDPA != nil:
		return "vhostvdpa", s.VHostVDPA.Dev
	}
	return "", ""
}

func newDomiflistCmd(env *Env) *cobra.Command {
	var o struct {
		domain   string
		inactive bool
	}
	cmd := &cobra.Command{
		Use:   "domiflist",
		Short: "list all domain virtual interfaces",
		Long:  "Get the summary of virtual interfaces for a domain.",
	}
	domainArg(cmd, &o.domain)
	cmd.Flags().BoolVar(&o.inactive, "inactive", false, "get inactive rather than running configuration")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		devs, err := domainDevices(c.Context(), env, o.domain, o.inactive)
		if err != nil {
			return err
		}
		ifaces := make([]interfaceJSON, 0, len(devs.Interfaces))
		for _, iface := range devs.Interfaces {
			ifaces = append(ifaces, newInterfaceJSON(iface))
		}
		return env.emit(ifaces, func(w io.Writer) {
			rows := make([][]string, 0, len(ifaces))
			for _, i := range ifaces {
				rows = append(rows, []string{orMinus(i.Interface), i.Type, orMinus(i.Source), orMinus(i.Model), orMinus(i.MAC)})
			}
			format.Table(w, []string{"Interface", "Type", "Source", "Model", "MAC"}, rows, env.Quiet)
		})
	}
	return cmd
}

func newInterfaceJSON(iface libvirtxml.DomainInterface) interfaceJSON {
	out := interfaceJSON{}
	out.Type, out.Source = interfaceSource(iface.Source)
	if iface.Target != nil {
		out.Interface = iface.Target.Dev
	}
	if iface.Model != nil {
		out.Model = iface.Model.Type
	}
	if iface.MAC != nil {
		out.MAC = iface.MAC.Address
	}
	return out
}

// interfaceSource returns an interface's type and what virsh shows as its
// source (source/@bridge|@dev|@network|@name|@path).
func interfaceSource(s *libvirtxml.DomainInterfaceSource) (typ, source string) {
	switch {
	case s == nil:
		return "", ""
	case s.Network != nil:
		return "network", firstNonEmpty(s.Network.Network, s.Network.Bridge)
	case s.Bridge != nil:
		return "bridge", s.Bridge.Bridge
	case s.Direct != nil:
		return "direct", s.Direct.Dev
	case s.User != nil:
		return "user", s.User.Dev
	case s.Internal != nil:
		return "internal", s.Internal.Name
	case s.VHostUser != nil:
		if s.VHostUser.Chardev != nil && s.VHostUser.Chardev.UNIX != nil {
			return "vhostuser", s.VHostUser.Chardev.UNIX.Path
		}
		return "vhostuser", s.VHostUser.Dev
	case s.VDPA != nil:
		return "vdpa", s.VDPA.Device
	case s.Ethernet != nil:
		return "ethernet", ""
	case s.Server != nil:
		return "server", ""
	case s.Client != nil:
		return "client", ""
	case s.MCast != nil:
		return "mcast", ""
	case s.UDP != nil:
		return "udp", ""
	case s.Hostdev != nil:
		return "hostdev", ""
	case s.Null != nil:
		return "null", ""
	case s.VDS != nil:
		return "vds", ""
	}
	return "", ""
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// orMinus is virsh's NULLSTR_MINUS: "-" for a missing value.
func orMinus(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
