// Package format renders command results: virsh's text layouts (tables,
// key/value blocks, sizes) byte for byte, and the same values as JSON, YAML
// or CSV for pipelines. It imports only the standard library and rendering
// libraries.
package format

import "fmt"

// Format is an output format chosen with -o/--output.
type Format int

const (
	Text Format = iota // virsh's layout
	JSON
	YAML
	CSV
)

var formatNames = [...]string{"table", "json", "yaml", "csv"}

// Names lists the accepted -o values, for help and completion.
func Names() []string { return formatNames[:] }

func (f Format) String() string { return formatNames[f] }

// Parse turns an -o value into a Format; "text" is accepted for "table".
func Parse(s string) (Format, error) {
	if s == "text" {
		return Text, nil
	}
	for i, n := range formatNames {
		if s == n {
			return Format(i), nil
		}
	}
	return Text, fmt.Errorf("unknown output format '%s' (choose table, json, yaml or csv)", s)
}
