// Package xmlcheck finds what a parse dropped from a user's XML.
// libvirtxml ignores elements and attributes it does not know; a define
// that would lose part of the user's configuration must say so rather
// than lose it silently. Dropped compares the user's document with the
// one re-marshalled from the parsed structure.
package xmlcheck

import (
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
)

type node struct {
	name     string
	attrs    map[string]bool
	children []*node
}

func parse(doc string) (*node, error) {
	dec := xml.NewDecoder(strings.NewReader(doc))
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{name: qualified(t.Name), attrs: map[string]bool{}}
			for _, a := range t.Attr {
				if a.Name.Space != "xmlns" && a.Name.Local != "xmlns" {
					n.attrs[qualified(a.Name)] = true
				}
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	if root == nil {
		return nil, fmt.Errorf("no root element")
	}
	return root, nil
}

func qualified(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// Dropped returns, sorted, the paths of the elements and attributes of
// original that roundTripped lacks, such as "domain/devices/disk/driver/@cache"
// or "domain/devices/hostdev". Elements under skip (paths like
// "domain/metadata") are not compared: their content is kept verbatim.
func Dropped(original, roundTripped string, skip ...string) ([]string, error) {
	a, err := parse(original)
	if err != nil {
		return nil, err
	}
	b, err := parse(roundTripped)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	compare(a, b, a.name, skip, seen)
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

// compare records in out what a has and b lacks. Children are matched by
// name and position among siblings of that name.
func compare(a, b *node, path string, skip []string, out map[string]bool) {
	for _, s := range skip {
		if path == s {
			return
		}
	}
	for attr := range a.attrs {
		if !b.attrs[attr] {
			out[path+"/@"+attr] = true
		}
	}
	index := map[string]int{}
	for _, ca := range a.children {
		i := index[ca.name]
		index[ca.name]++
		cb := nth(b, ca.name, i)
		childPath := path + "/" + ca.name
		if cb == nil {
			out[childPath] = true
			continue
		}
		compare(ca, cb, childPath, skip, out)
	}
}

func nth(n *node, name string, i int) *node {
	for _, c := range n.children {
		if c.name == name {
			if i == 0 {
				return c
			}
			i--
		}
	}
	return nil
}
