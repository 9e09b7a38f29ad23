package commands

import (
	"encoding/xml"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/xmltree"
)

// change-media edits the <disk> element of the domain's XML the way
// virsh does (virshFindDisk, virshUpdateDiskXML): on the parsed document,
// keeping every attribute, child and whitespace it does not touch, and
// prints it as libxml2 does (xmlNodeDump), so --print-xml shows what
// virsh shows.

// sourcePath is what a <source> names: its file, dev, dir, pool or name.
func sourcePath(src *xmltree.Element) string {
	for _, a := range []string{"file", "dev", "dir", "pool", "name"} {
		if v, ok := src.Attr(a); ok {
			return v
		}
	}
	return ""
}

// findChangeableDisk is virshFindDisk for change-media: the cdrom or
// floppy of the domain whose target or source is path.
func findChangeableDisk(domainXML, path string) (*xmltree.Element, error) {
	dom, err := xmltree.Parse([]byte(domainXML), false)
	if err != nil {
		return nil, backend.XMLError("cannot parse the domain XML: %v", err)
	}
	if devices := dom.Child("devices"); devices != nil {
		for _, disk := range devices.Children("disk") {
			if dev, _ := disk.Attr("device"); dev != "cdrom" && dev != "floppy" {
				continue // a disk without device= is a plain disk, as virshFindDisk skips it
			}
			if t := disk.Child("target"); t != nil {
				if dev, _ := t.Attr("dev"); dev == path {
					return disk, nil
				}
			}
			if s := disk.Child("source"); s != nil && sourcePath(s) == path {
				return disk, nil
			}
		}
	}
	return nil, userError(backend.CodeNotFound, "No disk found whose source path or target is %s", path)
}

// mediaAction is what change-media does to the disk.
type mediaAction int

const (
	mediaEject mediaAction = iota
	mediaInsert
	mediaUpdate
)

// changeMediaXML is virshUpdateDiskXML: the disk with its <source>
// removed (eject) or replaced by one for source (insert, update), its
// type set to file or block. path is what the user named the disk by.
func changeMediaXML(disk *xmltree.Element, source string, block bool, path string, action mediaAction) (string, error) {
	src, target := disk.Child("source"), disk.Child("target")
	if action == mediaEject {
		if src == nil {
			return "", userError(backend.CodeInvalidArgument, "The disk device '%s' doesn't have media", path)
		}
		source, block = "", false
	} else if source == "" {
		return "", userError(backend.CodeInvalidArgument, "New disk media source was not specified")
	}
	startupPolicy, hasPolicy := "", false
	if src != nil {
		if sourcePath(src) != "" && action == mediaInsert {
			return "", userError(backend.CodeInvalidArgument, "The disk device '%s' already has media", path)
		}
		startupPolicy, hasPolicy = src.Attr("startupPolicy")
		i := disk.Index(src)
		disk.Kids = append(disk.Kids[:i], disk.Kids[i+1:]...)
	}
	kind, attr := "file", "file"
	if block {
		kind, attr = "block", "dev"
	}
	disk.SetAttr("type", kind)
	if source != "" {
		newSrc := &xmltree.Element{Name: xml.Name{Local: "source"}, Attrs: []xml.Attr{{Name: xml.Name{Local: attr}, Value: source}}}
		if hasPolicy {
			newSrc.SetAttr("startupPolicy", startupPolicy)
		}
		insertBefore(disk, target, newSrc)
	}
	return disk.String(), nil
}

// insertBefore inserts kid into e before child at (at the end without one),
// followed by the whitespace that precedes at, so that the new line is
// indented as its neighbours.
func insertBefore(e, at, kid *xmltree.Element) {
	i := len(e.Kids)
	if at != nil {
		i = e.Index(at)
	}
	add := []any{kid}
	if i > 0 {
		if ws, ok := e.Kids[i-1].(string); ok && strings.TrimSpace(ws) == "" {
			add = append(add, ws)
		}
	}
	e.Kids = append(e.Kids[:i], append(add, e.Kids[i:]...)...)
}
