// Package xmltree reads an XML document into a tree that keeps all of
// it: elements with their attributes in document order, and the text and
// comments between them in place. The drivers' own trees (the test
// driver's printer, xmlcheck's comparison) are built from it, and
// change-media edits a domain's <disk> on it and prints it back as
// libxml2 does.
package xmltree

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
)

// Element is one element: its name, its attributes in order, and its
// content: *Element, string (character data) or xml.Comment.
type Element struct {
	Name  xml.Name
	Attrs []xml.Attr
	Kids  []any
}

// Parse reads the root element of doc. With resolve, names carry their
// namespace URI in Space, as encoding/xml's Token gives them, and the
// nesting is checked; without, they carry the prefix as written
// (RawToken), so that the tree prints back as it was read.
func Parse(doc []byte, resolve bool) (*Element, error) {
	dec := xml.NewDecoder(bytes.NewReader(doc))
	next := dec.RawToken
	if resolve {
		next = dec.Token
	}
	var stack []*Element
	var root *Element
	add := func(kid any) {
		if len(stack) > 0 {
			top := stack[len(stack)-1]
			top.Kids = append(top.Kids, kid)
		}
	}
	for {
		tok, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			e := &Element{Name: t.Name, Attrs: append([]xml.Attr(nil), t.Attr...)}
			if len(stack) == 0 && root == nil {
				root = e
			}
			add(e)
			stack = append(stack, e)
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			add(string(t))
		case xml.Comment:
			add(t.Copy())
		}
	}
	if root == nil {
		return nil, io.ErrUnexpectedEOF
	}
	return root, nil
}

// Qualified is a name as prefix:local (or namespace:local, when
// resolved), or local alone.
func Qualified(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

// Attr is the value of the attribute of qualified name name.
func (e *Element) Attr(name string) (string, bool) {
	for _, a := range e.Attrs {
		if Qualified(a.Name) == name {
			return a.Value, true
		}
	}
	return "", false
}

// SetAttr changes an attribute in place, or appends it (libxml2's
// xmlSetProp).
func (e *Element) SetAttr(name, value string) {
	for i, a := range e.Attrs {
		if Qualified(a.Name) == name {
			e.Attrs[i].Value = value
			return
		}
	}
	e.Attrs = append(e.Attrs, xml.Attr{Name: xml.Name{Local: name}, Value: value})
}

// Elements are the child elements, in order.
func (e *Element) Elements() []*Element {
	var out []*Element
	for _, k := range e.Kids {
		if c, ok := k.(*Element); ok {
			out = append(out, c)
		}
	}
	return out
}

// Children are the child elements of qualified name name.
func (e *Element) Children(name string) []*Element {
	var out []*Element
	for _, c := range e.Elements() {
		if Qualified(c.Name) == name {
			out = append(out, c)
		}
	}
	return out
}

// Child is the first child element of qualified name name, or nil.
func (e *Element) Child(name string) *Element {
	if c := e.Children(name); len(c) > 0 {
		return c[0]
	}
	return nil
}

// Index is the position of kid among e's content, or -1.
func (e *Element) Index(kid *Element) int {
	for i, k := range e.Kids {
		if k == kid {
			return i
		}
	}
	return -1
}

// Text is e's own character data, its child elements left out.
func (e *Element) Text() string {
	var b strings.Builder
	for _, k := range e.Kids {
		if s, ok := k.(string); ok {
			b.WriteString(s)
		}
	}
	return b.String()
}

var (
	attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\n", "&#10;", "\r", "&#13;", "\t", "&#9;")
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#13;")
)

// String is the element as libxml2's xmlNodeDump writes it: attributes
// double-quoted, empty elements self-closed, content as it was.
func (e *Element) String() string {
	var b strings.Builder
	e.write(&b)
	return b.String()
}

func (e *Element) write(b *strings.Builder) {
	name := Qualified(e.Name)
	b.WriteString("<" + name)
	for _, a := range e.Attrs {
		b.WriteString(" " + Qualified(a.Name) + `="` + attrEscaper.Replace(a.Value) + `"`)
	}
	if len(e.Kids) == 0 {
		b.WriteString("/>")
		return
	}
	b.WriteString(">")
	for _, k := range e.Kids {
		switch k := k.(type) {
		case *Element:
			k.write(b)
		case string:
			b.WriteString(textEscaper.Replace(k))
		case xml.Comment:
			b.WriteString("<!--" + string(k) + "-->")
		}
	}
	b.WriteString("</" + name + ">")
}
