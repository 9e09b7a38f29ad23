package format

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Table writes rows in virsh's table layout (vsh-table.c): every cell has one
// leading space and is padded to its column's widest value, columns are
// separated by two spaces, the last column is not padded, and a dash line as
// long as the widths plus three per column follows the header. quiet drops
// the header and the dash line, as virsh -q does.
func Table(w io.Writer, header []string, rows [][]string, quiet bool) {
	widths := make([]int, len(header))
	if !quiet { // virsh -q sizes columns by the rows alone
		for i, h := range header {
			widths[i] = utf8.RuneCountInString(h)
		}
	}
	for _, r := range rows {
		for i, c := range r {
			if n := utf8.RuneCountInString(c); i < len(widths) && n > widths[i] {
				widths[i] = n
			}
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		for i, c := range cells {
			b.WriteByte(' ')
			b.WriteString(c)
			if i < len(cells)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
			}
		}
		b.WriteByte('\n')
	}
	if !quiet {
		line(header)
		total := 0
		for _, wd := range widths {
			total += wd + 3
		}
		b.WriteString(strings.Repeat("-", total))
		b.WriteByte('\n')
	}
	for _, r := range rows {
		line(r)
	}
	io.WriteString(w, b.String())
}

// Field is one line of a key/value block.
type Field struct {
	Key   string // with its colon, as virsh prints it: "Name:"
	Value string
}

// KeyValue writes virsh's "%-15s %s" lines (width 15 for dominfo, net-info,
// pool-info; nodeinfo uses 20).
func KeyValue(w io.Writer, width int, fields []Field) {
	var b strings.Builder
	for _, f := range fields {
		fmt.Fprintf(&b, "%-*s %s\n", width, f.Key, f.Value)
	}
	io.WriteString(w, b.String())
}

var capacityUnits = []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}

// Capacity prints a byte count as virsh does ("100.00 GiB", "0.00 B").
func Capacity(bytes uint64) string {
	v := float64(bytes)
	unit := 0
	for v >= 1024 && unit < len(capacityUnits)-1 {
		v /= 1024
		unit++
	}
	return fmt.Sprintf("%.2f %s", v, capacityUnits[unit])
}

// YesNo is virsh's yes/no.
func YesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
