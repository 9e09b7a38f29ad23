package qemu

import (
	"context"
	"encoding/binary"
	"io"
	"os"
	"strings"
	"syscall"

	"github.com/virtsh/virtsh/backend"
	"libvirt.org/go/libvirtxml"
)

// runningDomain returns the live XML of a running domain.
func (d *domains) runningDomain(name string) (*libvirtxml.Domain, error) {
	doc, _, running, _, err := d.definition(name, false)
	if err != nil {
		return nil, err
	}
	if !running {
		return nil, backend.InvalidState("domain is not running")
	}
	var dom libvirtxml.Domain
	if err := dom.Unmarshal(doc); err != nil {
		return nil, backend.XMLError("%v", err)
	}
	return &dom, nil
}

// BlockStats implements backend.DomainDeviceStats (domblkstat): QEMU's
// counters of the disk named by target or source path, or of all disks
// summed when disk is "". QEMU counts no errors: Errors is -1.
func (d *domains) BlockStats(ctx context.Context, name, disk string) (backend.BlockStats, error) {
	dom, err := d.runningDomain(name)
	if err != nil {
		return backend.BlockStats{}, err
	}
	cmd, err := d.c.command(dom)
	if err != nil {
		return backend.BlockStats{}, err
	}
	stats, err := d.blockStatsByDevice(name)
	if err != nil {
		return backend.BlockStats{}, err
	}
	out := backend.BlockStats{Errors: -1}
	found := false
	for _, k := range cmd.Disks {
		if disk != "" && k.Target != disk && k.Source != disk {
			continue
		}
		found = true
		s := stats[k.Device].Stats
		out.RdReqs += s.RdOps
		out.RdBytes += s.RdBytes
		out.WrReqs += s.WrOps
		out.WrBytes += s.WrBytes
		out.FlushReqs += s.FlushOps
		out.RdTimeNS += s.RdTimeNS
		out.WrTimeNS += s.WrTimeNS
		out.FlushTimeNS += s.FlushTime
	}
	if !found && disk != "" {
		return backend.BlockStats{}, backend.InvalidArgument("disk '%s' not found in domain", disk)
	}
	return out, nil
}

// InterfaceStats implements backend.DomainDeviceStats (domifstat): the
// counters of the tap of the interface named by its target device or MAC.
func (d *domains) InterfaceStats(ctx context.Context, name, iface string) (backend.InterfaceStats, error) {
	dom, err := d.runningDomain(name)
	if err != nil {
		return backend.InterfaceStats{}, err
	}
	for _, i := range dom.Devices.Interfaces {
		dev := ""
		if i.Target != nil {
			dev = i.Target.Dev
		}
		mac := ""
		if i.MAC != nil {
			mac = i.MAC.Address
		}
		if dev != "" && (dev == iface || strings.EqualFold(mac, iface)) {
			return tapStats(dev)
		}
	}
	return backend.InterfaceStats{}, backend.InvalidArgument("'%s' is not a known interface", iface)
}

// BlockInfo implements backend.DomainDeviceStats (domblkinfo): the sizes
// of the disk named by target or source path, read from its image as
// libvirt does for an inactive domain: capacity is the guest's size (a
// qcow2 image's virtual size), allocation the bytes the host allocated,
// physical the file's size. An empty drive reports zeros.
func (d *domains) BlockInfo(ctx context.Context, name, disk string) (backend.BlockInfo, error) {
	doc, _, _, _, err := d.definition(name, false)
	if err != nil {
		return backend.BlockInfo{}, err
	}
	var dom libvirtxml.Domain
	if err := dom.Unmarshal(doc); err != nil {
		return backend.BlockInfo{}, backend.XMLError("%v", err)
	}
	cmd, err := d.c.command(&dom)
	if err != nil {
		return backend.BlockInfo{}, err
	}
	for i, k := range cmd.Disks {
		if k.Target != disk && (k.Source == "" || k.Source != disk) {
			continue
		}
		if k.Source == "" {
			return backend.BlockInfo{}, nil
		}
		format := ""
		if dd := dom.Devices.Disks[i]; dd.Driver != nil {
			format = dd.Driver.Type
		}
		return imageSizes(k.Source, format)
	}
	return backend.BlockInfo{}, backend.InvalidArgument("invalid path %s not assigned to domain", disk)
}

// imageSizes reads an image's capacity, allocation and physical size.
func imageSizes(path, format string) (backend.BlockInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return backend.BlockInfo{}, backend.OperationFailed("cannot open %s: %v", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return backend.BlockInfo{}, backend.OperationFailed("cannot stat %s: %v", path, err)
	}
	var info backend.BlockInfo
	if fi.Mode().IsRegular() {
		info.Physical = uint64(fi.Size())
		info.Allocation = uint64(fi.Sys().(*syscall.Stat_t).Blocks) * 512
	} else {
		end, err := f.Seek(0, io.SeekEnd)
		if err != nil {
			return backend.BlockInfo{}, backend.OperationFailed("cannot read the size of %s: %v", path, err)
		}
		info.Physical, info.Allocation = uint64(end), uint64(end)
	}
	info.Capacity = info.Physical
	if format == "qcow2" {
		hdr := make([]byte, 32)
		if _, err := f.ReadAt(hdr, 0); err != nil || string(hdr[:4]) != "QFI\xfb" {
			return backend.BlockInfo{}, backend.OperationFailed("%s is not a qcow2 image", path)
		}
		info.Capacity = binary.BigEndian.Uint64(hdr[24:32])
	}
	return info, nil
}
