// Package xmlcheck finds what a parse dropped from a user's XML.
// libvirtxml ignores elements and attributes it does not know; a define
// that would lose part of the user's configuration must say so rather
// than lose it silently. Dropped compares the user's document with the
// one re-marshalled from the parsed structure.
package xmlcheck

import (
	"sort"

	"github.com/virtsh/virtsh/backend/xmltree"
)

// attrNames are the qualified names of e's attributes, namespace
// declarations left out.
func attrNames(e *xmltree.Element) map[string]bool {
	names := map[string]bool{}
	for _, a := range e.Attrs {
		if a.Name.Space != "xmlns" && a.Name.Local != "xmlns" {
			names[xmltree.Qualified(a.Name)] = true
		}
	}
	return names
}

// Dropped returns, sorted, the paths of the elements and attributes of
// original that roundTripped lacks, such as "domain/devices/disk/driver/@cache"
// or "domain/devices/hostdev". Elements under skip (paths like
// "domain/metadata") are not compared: their content is kept verbatim.
func Dropped(original, roundTripped string, skip ...string) ([]string, error) {
	a, err := xmltree.Parse([]byte(original), true)
	if err != nil {
		return nil, err
	}
	b, err := xmltree.Parse([]byte(roundTripped), true)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	compare(a, b, xmltree.Qualified(a.Name), skip, seen)
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

// compare records in out what a has and b lacks. Children are matched by
// name and position among siblings of that name.
func compare(a, b *xmltree.Element, path string, skip []string, out map[string]bool) {
	for _, s := range skip {
		if path == s {
			return
		}
	}
	has := attrNames(b)
	for attr := range attrNames(a) {
		if !has[attr] {
			out[path+"/@"+attr] = true
		}
	}
	index := map[string]int{}
	for _, ca := range a.Elements() {
		name := xmltree.Qualified(ca.Name)
		i := index[name]
		index[name]++
		childPath := path + "/" + name
		if cb := b.Children(name); i < len(cb) {
			compare(ca, cb[i], childPath, skip, out)
		} else {
			out[childPath] = true
		}
	}
}
