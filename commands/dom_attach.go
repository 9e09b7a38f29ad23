package commands

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
	"libvirt.org/go/libvirtxml"
)

// attach-device, detach-device, attach-disk, detach-disk,
// attach-interface and detach-interface, over backend.DomainDevices.
// attach-disk and attach-interface build the device XML the way virsh's
// cmdAttachDisk and cmdAttachInterface do, so any driver with hot-plug
// serves them.

func init() {
	register("domain", command{"attach-device", newAttachDeviceCmd}, command{"detach-device", newDetachDeviceCmd}, command{"attach-disk", newAttachDiskCmd}, command{"detach-disk", newDetachDiskCmd},
		command{"attach-interface", newAttachInterfaceCmd}, command{"detach-interface", newDetachInterfaceCmd})
}

// hotplug returns the connection's hot-plug capability.
func hotplug(conn backend.Conn, api string) (backend.DomainDevices, error) {
	if dd, ok := conn.Domains().(backend.DomainDevices); ok {
		return dd, nil
	}
	return nil, backend.Unsupported("%s", api)
}

// deviceFailed reports a failed attach or detach under virsh's message,
// except a mistake in the options, which virsh reports alone.
func deviceFailed(err error, msg string, args ...any) error {
	var ce *cmdError
	if errors.As(err, &ce) {
		return err
	}
	return failed(err, msg, args...)
}

// changeDevice runs one attach or detach of deviceXML on domain.
func changeDevice(ctx context.Context, c *cobra.Command, env *Env, domain, deviceXML string, s scopeFlags, attach bool) error {
	conn, d, err := lookupDomain(ctx, env, domain)
	if err != nil {
		return err
	}
	scope, err := s.attachScope(c, d)
	if err != nil {
		return err
	}
	api := "virDomainAttachDeviceFlags"
	if !attach {
		api = "virDomainDetachDeviceFlags"
	}
	dd, err := hotplug(conn, api)
	if err != nil {
		return err
	}
	if attach {
		return dd.AttachDevice(ctx, d.Name, deviceXML, scope)
	}
	return dd.DetachDevice(ctx, d.Name, deviceXML, scope)
}

func newDeviceFileCmd(env *Env, attach bool) *cobra.Command {
	var o struct {
		domain, file string
		scope        scopeFlags
	}
	verb, verbed := "attach", "attached"
	if !attach {
		verb, verbed = "detach", "detached"
	}
	cmd := &cobra.Command{
		Use:   verb + "-device",
		Short: verb + " device from an XML file",
		Long:  strings.ToUpper(verb[:1]) + verb[1:] + " device from an XML <file>.",
	}
	domainArg(cmd, &o.domain)
	arg(cmd, &o.file, "file", "XML file", true)
	o.scope.declareAttach(cmd, "make live change persistent")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		xml, err := readFileArg(o.file)
		if err != nil {
			return err
		}
		if err := changeDevice(c.Context(), c, env, o.domain, xml, o.scope, attach); err != nil {
			return deviceFailed(err, "Failed to %s device from %s", verb, o.file)
		}
		env.info("Device %s successfully\n", verbed)
		return nil
	}
	return cmd
}

func newAttachDeviceCmd(env *Env) *cobra.Command { return newDeviceFileCmd(env, true) }
func newDetachDeviceCmd(env *Env) *cobra.Command { return newDeviceFileCmd(env, false) }

// marshalDevice formats device XML as virsh prints it with --print-xml.
func marshalDevice(v interface{ Marshal() (string, error) }) (string, error) {
	s, err := v.Marshal()
	if err != nil {
		return "", err
	}
	return s + "\n", nil
}

func newAttachDiskCmd(env *Env) *cobra.Command {
	var o struct {
		domain, source, target, targetbus, driver, subdriver, cache, kind, mode, sourcetype, serial, wwn, alias string
		printXML                                                                                                bool
		scope                                                                                                   scopeFlags
	}
	cmd := &cobra.Command{
		Use:   "attach-disk",
		Short: "attach disk device",
		Long:  "Attach new disk device.",
	}
	domainArg(cmd, &o.domain)
	arg(cmd, &o.source, "source", "source of disk device or name of network disk", true)
	arg(cmd, &o.target, "target", "target of disk device", true)
	f := cmd.Flags()
	f.StringVar(&o.targetbus, "targetbus", "", "target bus of disk device")
	f.StringVar(&o.driver, "driver", "", "driver of disk device")
	f.StringVar(&o.subdriver, "subdriver", "", "subdriver of disk device")
	f.StringVar(&o.cache, "cache", "", "cache mode of disk device")
	f.StringVar(&o.kind, "type", "", "target device type")
	f.StringVar(&o.mode, "mode", "", "mode of device reading and writing")
	f.StringVar(&o.sourcetype, "sourcetype", "", "type of source (block|file|network)")
	f.StringVar(&o.serial, "serial", "", "serial of disk device")
	f.StringVar(&o.wwn, "wwn", "", "wwn of disk device")
	f.StringVar(&o.alias, "alias", "", "custom alias name of disk device")
	f.BoolVar(&o.printXML, "print-xml", false, "print XML document rather than attach the disk")
	o.scope.declareAttach(cmd, "make live change persistent")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		disk, err := diskXML(o.source, o.target, o.targetbus, o.driver, o.subdriver, o.cache, o.kind, o.mode, o.sourcetype, o.serial, o.wwn, o.alias)
		if err != nil {
			return err
		}
		xml, err := marshalDevice(disk)
		if err != nil {
			return failed(err, "Failed to attach disk")
		}
		if o.printXML {
			fmt.Fprint(env.Out, xml)
			return nil
		}
		if err := changeDevice(c.Context(), c, env, o.domain, xml, o.scope, true); err != nil {
			return deviceFailed(err, "Failed to attach disk")
		}
		env.info("Disk attached successfully\n")
		return nil
	}
	return cmd
}

// diskXML builds attach-disk's <disk> as virsh does.
func diskXML(source, target, bus, driver, subdriver, cache, kind, mode, sourcetype, serial, wwn, alias string) (*libvirtxml.DomainDisk, error) {
	if kind == "" {
		kind = "disk"
	}
	switch kind {
	case "disk", "cdrom", "floppy", "lun":
	default:
		return nil, userError(backend.CodeInvalidArgument, "Unknown device type '%s'", kind)
	}
	if sourcetype == "" {
		sourcetype = "file"
		if st, err := os.Stat(source); err == nil && st.Mode()&os.ModeDevice != 0 && st.Mode()&os.ModeCharDevice == 0 {
			sourcetype = "block"
		}
	}
	d := &libvirtxml.DomainDisk{Device: kind, Target: &libvirtxml.DomainDiskTarget{Dev: target, Bus: bus}}
	switch sourcetype {
	case "file":
		if source != "" {
			d.Source = &libvirtxml.DomainDiskSource{File: &libvirtxml.DomainDiskSourceFile{File: source}}
		}
	case "block":
		d.Source = &libvirtxml.DomainDiskSource{Block: &libvirtxml.DomainDiskSourceBlock{Dev: source}}
	default:
		return nil, userError(backend.CodeInvalidArgument, "Unknown source type: '%s'", sourcetype)
	}
	if driver != "" || subdriver != "" || cache != "" {
		d.Driver = &libvirtxml.DomainDiskDriver{Name: driver, Type: subdriver, Cache: cache}
	}
	switch mode {
	case "":
	case "readonly":
		d.ReadOnly = &libvirtxml.DomainDiskReadOnly{}
	case "shareable":
		d.Shareable = &libvirtxml.DomainDiskShareable{}
	default:
		return nil, userError(backend.CodeInvalidArgument, "No support for %s in command 'attach-disk'", mode)
	}
	d.Serial, d.WWN = serial, wwn
	if alias != "" {
		d.Alias = &libvirtxml.DomainAlias{Name: alias}
	}
	return d, nil
}

// currentXML is the domain XML detach-disk and detach-interface search:
// the persistent one with --config alone, else the live one.
func currentXML(ctx context.Context, conn backend.Conn, name string, s scopeFlags) (*libvirtxml.Domain, error) {
	xml, err := conn.Domains().XML(ctx, name, backend.XMLOptions{Inactive: (s.config || s.persistent) && !s.live})
	if err != nil {
		return nil, err
	}
	d := &libvirtxml.Domain{}
	if err := d.Unmarshal(xml); err != nil {
		return nil, err
	}
	if d.Devices == nil {
		d.Devices = &libvirtxml.DomainDeviceList{}
	}
	return d, nil
}

func newDetachDiskCmd(env *Env) *cobra.Command {
	var o struct {
		domain, target string
		printXML       bool
		scope          scopeFlags
	}
	cmd := &cobra.Command{
		Use:   "detach-disk",
		Short: "detach disk device",
		Long:  "Detach disk device.",
	}
	domainArg(cmd, &o.domain)
	arg(cmd, &o.target, "target", "target of disk device", true)
	o.scope.declareAttach(cmd, "make live change persistent")
	cmd.Flags().BoolVar(&o.printXML, "print-xml", false, "print XML document rather than detach the disk")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		dom, err := currentXML(ctx, conn, d.Name, o.scope)
		if err != nil {
			return failed(err, "Failed to detach disk")
		}
		var found *libvirtxml.DomainDisk
		for i, disk := range dom.Devices.Disks {
			if diskMatches(disk, o.target) {
				found = &dom.Devices.Disks[i]
				break
			}
		}
		if found == nil {
			return userError(backend.CodeNotFound, "No disk found whose source path or target is %s", o.target)
		}
		xml, err := marshalDevice(found)
		if err != nil {
			return failed(err, "Failed to detach disk")
		}
		if o.printXML {
			fmt.Fprint(env.Out, xml)
			return nil
		}
		if err := changeDevice(ctx, c, env, o.domain, xml, o.scope, false); err != nil {
			return deviceFailed(err, "Failed to detach disk")
		}
		env.info("Disk detached successfully\n")
		return nil
	}
	return cmd
}

// diskMatches finds a disk by target or source path, as virsh does.
func diskMatches(d libvirtxml.DomainDisk, key string) bool {
	if d.Target != nil && d.Target.Dev == key {
		return true
	}
	if s := d.Source; s != nil {
		return s.File != nil && s.File.File == key || s.Block != nil && s.Block.Dev == key
	}
	return false
}

func newAttachInterfaceCmd(env *Env) *cobra.Command {
	var o struct {
		domain, kind, source, target, mac, script, model, alias string
		printXML                                                bool
		scope                                                   scopeFlags
	}
	cmd := &cobra.Command{
		Use:   "attach-interface",
		Short: "attach network interface",
		Long:  "Attach new network interface.",
	}
	domainArg(cmd, &o.domain)
	arg(cmd, &o.kind, "type", "network interface type", true)
	arg(cmd, &o.source, "source", "source of network interface", true)
	f := cmd.Flags()
	f.StringVar(&o.target, "target", "", "target network name")
	f.StringVar(&o.mac, "mac", "", "MAC address")
	f.StringVar(&o.script, "script", "", "script used to bridge network interface")
	f.StringVar(&o.model, "model", "", "model type")
	f.StringVar(&o.alias, "alias", "", "custom alias name of interface device")
	f.BoolVar(&o.printXML, "print-xml", false, "print XML document rather than attach the interface")
	o.scope.declareAttach(cmd, "make live change persistent")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		nic, err := interfaceXML(o.kind, o.source, o.target, o.mac, o.script, o.model, o.alias)
		if err != nil {
			return err
		}
		xml, err := marshalDevice(nic)
		if err != nil {
			return failed(err, "Failed to attach interface")
		}
		if o.printXML {
			fmt.Fprint(env.Out, xml)
			return nil
		}
		if err := changeDevice(c.Context(), c, env, o.domain, xml, o.scope, true); err != nil {
			return deviceFailed(err, "Failed to attach interface")
		}
		env.info("Interface attached successfully\n")
		return nil
	}
	return cmd
}

// interfaceXML builds attach-interface's <interface> as virsh does.
func interfaceXML(kind, source, target, mac, script, model, alias string) (*libvirtxml.DomainInterface, error) {
	nic := &libvirtxml.DomainInterface{}
	switch kind {
	case "network":
		nic.Source = &libvirtxml.DomainInterfaceSource{Network: &libvirtxml.DomainInterfaceSourceNetwork{Network: source}}
	case "bridge":
		nic.Source = &libvirtxml.DomainInterfaceSource{Bridge: &libvirtxml.DomainInterfaceSourceBridge{Bridge: source}}
	case "direct":
		nic.Source = &libvirtxml.DomainInterfaceSource{Direct: &libvirtxml.DomainInterfaceSourceDirect{Dev: source}}
	case "ethernet":
		nic.Source = &libvirtxml.DomainInterfaceSource{Ethernet: &libvirtxml.DomainInterfaceSourceEthernet{}}
		if target == "" {
			target = source
		}
	default:
		return nil, userError(backend.CodeInvalidArgument, "No support for %s in command 'attach-interface'", kind)
	}
	if target != "" {
		nic.Target = &libvirtxml.DomainInterfaceTarget{Dev: target}
	}
	if mac != "" {
		nic.MAC = &libvirtxml.DomainInterfaceMAC{Address: mac}
	}
	if script != "" {
		nic.Script = &libvirtxml.DomainInterfaceScript{Path: script}
	}
	if model != "" {
		nic.Model = &libvirtxml.DomainInterfaceModel{Type: model}
	}
	if alias != "" {
		nic.Alias = &libvirtxml.DomainAlias{Name: alias}
	}
	return nic, nil
}

// nicType is an interface's type attribute.
func nicType(n libvirtxml.DomainInterface) string {
	s := n.Source
	switch {
	case s == nil:
		return ""
	case s.Network != nil:
		return "network"
	case s.Bridge != nil:
		return "bridge"
	case s.Direct != nil:
		return "direct"
	case s.Ethernet != nil:
		return "ethernet"
	case s.User != nil:
		return "user"
	}
	return ""
}

func newDetachInterfaceCmd(env *Env) *cobra.Command {
	var o struct {
		domain, kind, mac string
		printXML          bool
		scope             scopeFlags
	}
	cmd := &cobra.Command{
		Use:   "detach-interface",
		Short: "detach network interface",
		Long:  "Detach network interface.",
	}
	domainArg(cmd, &o.domain)
	arg(cmd, &o.kind, "type", "network interface type", true)
	arg(cmd, &o.mac, "mac", "MAC address", false)
	o.scope.declareAttach(cmd, "make live change persistent")
	cmd.Flags().BoolVar(&o.printXML, "print-xml", false, "print XML document rather than detach the interface")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		dom, err := currentXML(ctx, conn, d.Name, o.scope)
		if err != nil {
			return failed(err, "Failed to detach interface")
		}
		var matches []libvirtxml.DomainInterface
		for _, n := range dom.Devices.Interfaces {
			if nicType(n) == o.kind && (o.mac == "" || n.MAC != nil && strings.EqualFold(n.MAC.Address, o.mac)) {
				matches = append(matches, n)
			}
		}
		switch {
		case len(matches) == 0 && o.mac != "":
			return userError(backend.CodeNotFound, "No interface found whose type is %s and MAC address is %s", o.kind, o.mac)
		case len(matches) == 0:
			return userError(backend.CodeNotFound, "No interface found whose type is %s", o.kind)
		case len(matches) > 1:
			return userError(backend.CodeInvalidArgument, "Domain has %d interfaces. Please specify which one to detach using --mac", len(matches))
		}
		xml, err := marshalDevice(&matches[0])
		if err != nil {
			return failed(err, "Failed to detach interface")
		}
		if o.printXML {
			fmt.Fprint(env.Out, xml)
			return nil
		}
		if err := changeDevice(ctx, c, env, o.domain, xml, o.scope, false); err != nil {
			return deviceFailed(err, "Failed to detach interface")
		}
		env.info("Interface detached successfully\n")
		return nil
	}
	return cmd
}
