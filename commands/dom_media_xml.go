package commands

import (
	"encoding/xml"
	"io"
	"strings"

	"github.com/virtsh/virtsh/backend"
)

// change-media edits the <disk> element of the domain's XML the way
// virsh does (virshFindDisk, virshUpdateDiskXML): on the parsed document,
// keeping every attribute, child and whitespace it does not touch, and
// prints it as libxml2 does (xmlNodeDump), so --print-xml shows what
// virsh shows.

// xmlElem is an element with its attributes in order and its children:
// *xmlElem, text (string) or xml.Comment.
type xmlElem struct {
	name  string
	attrs []xml.Attr
	kids  []any
}

// parseXMLElem parses a document into its root element.
func parseXMLElem(doc string) (*xmlElem, error) {
	dec := xml.NewDecoder(strings.NewReader(doc))
	var stack []*xmlElem
	var root *xmlElem
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			e := &xmlElem{name: qualified(t.Name), attrs: append([]xml.Attr(nil), t.Attr...)}
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				parent.kids = append(parent.kids, e)
			} else if root == nil {
				root = e
			}
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				parent.kids = append(parent.kids, string(t))
			}
		case xml.Comment:
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				parent.kids = append(parent.kids, t.Copy())
			}
		}
	}
	if root == nil {
		return nil, io.ErrUnexpectedEOF
	}
	return root, nil
}

func qualified(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

func (e *xmlElem) attr(name string) (string, bool) {
	for _, a := range e.attrs {
		if qualified(a.Name) == name {
			return a.Value, true
		}
	}
	return "", false
}

// setAttr changes an attribute in place, or appends it (xmlSetProp).
func (e *xmlElem) setAttr(name, value string) {
	for i, a := range e.attrs {
		if qualified(a.Name) == name {
			e.attrs[i].Value = value
			return
		}
	}
	e.attrs = append(e.attrs, xml.Attr{Name: xml.Name{Local: name}, Value: value})
}

// children are the child elements named name.
func (e *xmlElem) children(name string) []*xmlElem {
	var out []*xmlElem
	for _, k := range e.kids {
		if c, ok := k.(*xmlElem); ok && c.name == name {
			out = append(out, c)
		}
	}
	return out
}

func (e *xmlElem) child(name string) *xmlElem {
	if c := e.children(name); len(c) > 0 {
		return c[0]
	}
	return nil
}

func (e *xmlElem) index(kid *xmlElem) int {
	for i, k := range e.kids {
		if k == kid {
			return i
		}
	}
	return -1
}

// String is the element as libxml2's xmlNodeDump writes it.
func (e *xmlElem) String() string {
	var b strings.Builder
	e.write(&b)
	return b.String()
}

var (
	attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\n", "&#10;", "\r", "&#13;", "\t", "&#9;")
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#13;")
)

func (e *xmlElem) write(b *strings.Builder) {
	b.WriteString("<" + e.name)
	for _, a := range e.attrs {
		b.WriteString(" " + qualified(a.Name) + `="` + attrEscaper.Replace(a.Value) + `"`)
	}
	if len(e.kids) == 0 {
		b.WriteString("/>")
		return
	}
	b.WriteString(">")
	for _, k := range e.kids {
		switch k := k.(type) {
		case *xmlElem:
			k.write(b)
		case string:
			b.WriteString(textEscaper.Replace(k))
		case xml.Comment:
			b.WriteString("<!--" + string(k) + "-->")
		}
	}
	b.WriteString("</" + e.name + ">")
}

// sourcePath is what a <source> names: its file, dev, dir, pool or name.
func sourcePath(src *xmlElem) string {
	for _, a := range []string{"file", "dev", "dir", "pool", "name"} {
		if v, ok := src.attr(a); ok {
			return v
		}
	}
	return ""
}

// findChangeableDisk is virshFindDisk for change-media: the cdrom or
// floppy of the domain whose target or source is path.
func findChangeableDisk(domainXML, path string) (*xmlElem, error) {
	dom, err := parseXMLElem(domainXML)
	if err != nil {
		return nil, backend.XMLError("cannot parse the domain XML: %v", err)
	}
	if devices := dom.child("devices"); devices != nil {
		for _, disk := range devices.children("disk") {
			if dev, ok := disk.attr("device"); ok && dev != "cdrom" && dev != "floppy" {
				continue
			}
			if t := disk.child("target"); t != nil {
				if dev, _ := t.attr("dev"); dev == path {
					return disk, nil
				}
			}
			if s := disk.child("source"); s != nil && sourcePath(s) == path {
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
func changeMediaXML(disk *xmlElem, source string, block bool, path string, action mediaAction) (string, error) {
	src, target := disk.child("source"), disk.child("target")
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
		startupPolicy, hasPolicy = src.attr("startupPolicy")
		i := disk.index(src)
		disk.kids = append(disk.kids[:i], disk.kids[i+1:]...)
	}
	kind, attr := "file", "file"
	if block {
		kind, attr = "block", "dev"
	}
	disk.setAttr("type", kind)
	if source != "" {
		newSrc := &xmlElem{name: "source", attrs: []xml.Attr{{Name: xml.Name{Local: attr}, Value: source}}}
		if hasPolicy {
			newSrc.setAttr("startupPolicy", startupPolicy)
		}
		disk.insertBefore(target, newSrc)
	}
	return disk.String(), nil
}

// insertBefore inserts kid before child at (at the end without one),
// followed by the whitespace that precedes at, so that the new line is
// indented as its neighbours.
func (e *xmlElem) insertBefore(at, kid *xmlElem) {
	i := len(e.kids)
	if at != nil {
		i = e.index(at)
	}
	add := []any{kid}
	if i > 0 {
		if ws, ok := e.kids[i-1].(string); ok && strings.TrimSpace(ws) == "" {
			add = append(add, ws)
		}
	}
	e.kids = append(e.kids[:i], append(add, e.kids[i:]...)...)
}
