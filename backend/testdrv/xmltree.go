package testdrv

import (
	"encoding/xml"
	"strings"

	"github.com/virtsh/virtsh/backend/xmltree"
)

// node is a parsed XML element. The driver parses node files into nodes and
// prints every XML document it returns from nodes, in libvirt's style.
type node struct {
	Name     xml.Name
	Attr     []xml.Attr
	Children []*node
	Text     string
}

// parseTree parses an XML document into a tree; namespaces are resolved, so
// Name.Space holds the namespace URI of prefixed elements.
func parseTree(data []byte) (*node, error) {
	e, err := xmltree.Parse(data, true)
	if err != nil {
		return nil, err
	}
	return fromElement(e), nil
}

// fromElement is the node of a parsed element: its own text joined, its
// comments left out.
func fromElement(e *xmltree.Element) *node {
	n := &node{Name: e.Name, Attr: e.Attrs, Text: e.Text()}
	for _, c := range e.Elements() {
		n.Children = append(n.Children, fromElement(c))
	}
	return n
}

// attr returns the value of the attribute with the local name, "" if absent.
func (n *node) attr(name string) string {
	for _, a := range n.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

// child returns the first child element with the local name and namespace.
func (n *node) child(space, name string) *node {
	for _, c := range n.Children {
		if c.Name.Local == name && c.Name.Space == space {
			return c
		}
	}
	return nil
}

// childText returns the trimmed text of a child, and whether it exists.
func (n *node) childText(name string) (string, bool) {
	c := n.child("", name)
	if c == nil {
		return "", false
	}
	return strings.TrimSpace(c.Text), true
}

// elem builds a node with attributes given as name, value pairs.
func elem(name string, attrs ...string) *node {
	n := &node{Name: xml.Name{Local: name}}
	for i := 0; i+1 < len(attrs); i += 2 {
		n.Attr = append(n.Attr, xml.Attr{Name: xml.Name{Local: attrs[i]}, Value: attrs[i+1]})
	}
	return n
}

// add appends children and returns n, for building trees in one expression.
func (n *node) add(children ...*node) *node {
	n.Children = append(n.Children, children...)
	return n
}

// text sets the text of n and returns n.
func (n *node) text(s string) *node {
	n.Text = s
	return n
}

// keepOpen lists the elements libvirt always prints with an open and a close
// tag on separate lines, even when empty (paths from the document root).
var keepOpen = map[string]bool{
	"domain/devices":                   true,
	"domainsnapshot/domain/devices":    true,
	"domainsnapshot/disks":             true,
	"domainsnapshot/parent":            true,
	"pool/source":                      true,
	"network/ip":                       true,
	"domainsnapshot/domain":            true,
	"capabilities/host/topology/cells": true,
}

// emptyPair lists the elements libvirt prints as <x></x> when empty.
var emptyPair = map[string]bool{
	"capabilities/host/secmodel/doi": true,
}

// attrOrder gives libvirt's attribute order where libvirtxml's differs,
// keyed by parent/element.
var attrOrder = map[string][]string{
	"video/model": {"type", "ram", "vram", "vram64", "vgamem", "heads", "primary"},
}

// format prints the tree the way libvirt's virBuffer formatters do: two
// spaces of indentation, single-quoted attributes, self-closed empty
// elements, and a trailing newline.
func (n *node) format() string {
	var b strings.Builder
	n.write(&b, "", 0)
	return b.String()
}

func (n *node) write(b *strings.Builder, parentPath string, depth int) {
	path := n.Name.Local
	if parentPath != "" {
		path = parentPath + "/" + n.Name.Local
	}
	indent := strings.Repeat("  ", depth)
	b.WriteString(indent + "<" + n.Name.Local)
	for _, a := range n.orderedAttrs(parentPath) {
		b.WriteString(" " + attrName(a.Name) + "='" + escape(a.Value) + "'")
	}
	text := n.Text
	if len(n.Children) > 0 {
		text = strings.TrimSpace(text)
	}
	switch {
	case len(n.Children) > 0:
		b.WriteString(">\n")
		for _, c := range n.Children {
			c.write(b, path, depth+1)
		}
		b.WriteString(indent + "</" + n.Name.Local + ">\n")
	case text != "":
		b.WriteString(">" + escape(text) + "</" + n.Name.Local + ">\n")
	case keepOpen[path]:
		b.WriteString(">\n" + indent + "</" + n.Name.Local + ">\n")
	case emptyPair[path]:
		b.WriteString("></" + n.Name.Local + ">\n")
	default:
		b.WriteString("/>\n")
	}
}

func attrName(n xml.Name) string {
	if n.Space == "xmlns" {
		return "xmlns:" + n.Local
	}
	return n.Local
}

func (n *node) orderedAttrs(parentPath string) []xml.Attr {
	parent := parentPath[strings.LastIndex(parentPath, "/")+1:]
	order, ok := attrOrder[parent+"/"+n.Name.Local]
	if !ok {
		return n.Attr
	}
	rank := func(a xml.Attr) int {
		for i, name := range order {
			if name == a.Name.Local {
				return i
			}
		}
		return len(order)
	}
	out := append([]xml.Attr(nil), n.Attr...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && rank(out[j]) < rank(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// escape escapes text and attribute values as libvirt's virBufferEscapeString.
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "'", "&apos;", "\"", "&quot;")

func escape(s string) string { return escaper.Replace(s) }

// marshalTree marshals a libvirtxml value and parses it back into a tree.
func marshalTree(v interface{ Marshal() (string, error) }) (*node, error) {
	s, err := v.Marshal()
	if err != nil {
		return nil, err
	}
	return parseTree([]byte(s))
}

// rawXML serialises a tree back to XML text for libvirtxml to unmarshal;
// elements of other namespaces (test:...) are left out.
func (n *node) rawXML() string {
	var b strings.Builder
	n.writeRaw(&b)
	return b.String()
}

func (n *node) writeRaw(b *strings.Builder) {
	b.WriteString("<" + n.Name.Local)
	for _, a := range n.Attr {
		if a.Name.Space == "" {
			b.WriteString(" " + a.Name.Local + "='" + escape(a.Value) + "'")
		}
	}
	b.WriteString(">")
	b.WriteString(escape(n.Text))
	for _, c := range n.Children {
		if c.Name.Space == "" {
			c.writeRaw(b)
		}
	}
	b.WriteString("</" + n.Name.Local + ">")
}
