package argv

import (
	"encoding/json"

	"libvirt.org/go/libvirtxml"
)

// Medium lays out the medium (the <source>) of removable disk d of the
// running domain dom for blockdev-add: its storage and format nodes,
// numbered node (unused in the running QEMU), as start would write
// them, and the format node's name, which blockdev-insert-medium puts
// into the drive.
func Medium(dom *libvirtxml.Domain, d *libvirtxml.DomainDisk, node int) (blockdevs []json.RawMessage, formatNode string, err error) {
	b := hotplugBuilder(dom)
	disk := *d
	if err := b.disk(&disk, node); err != nil {
		return nil, "", err
	}
	for i := 0; i+1 < len(b.devices); i += 2 {
		if b.devices[i] == "-blockdev" {
			blockdevs = append(blockdevs, json.RawMessage(b.devices[i+1]))
		}
	}
	return blockdevs, b.cmd.Disks[0].Node, nil
}
