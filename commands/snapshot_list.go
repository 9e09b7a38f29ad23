package commands

import (
	"fmt"
	"io"
	"slices"
	"sort"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/format"
)

// snapshotFilter holds snapshot-list's filter options (virsh's
// VIR_DOMAIN_SNAPSHOT_LIST_* flags). Opposite options given together do
// not filter; within the status group (--inactive, --active, --disk-only)
// and the location group (--internal, --external) a snapshot matching any
// given option is listed.
type snapshotFilter struct {
	roots, leaves, noLeaves, metadata, noMetadata  bool
	inactive, active, diskOnly, internal, external bool
}

func (f snapshotFilter) match(s backend.SnapshotInfo) bool {
	if f.roots && s.Parent != "" {
		return false
	}
	return pairMatch(f.leaves, f.noLeaves, s.Children == 0) &&
		pairMatch(f.metadata, f.noMetadata, s.Metadata) &&
		groupMatch([]bool{f.inactive, f.active, f.diskOnly},
			[]bool{s.State == "shutoff", s.State != "shutoff" && s.State != "disk-snapshot", s.State == "disk-snapshot"}) &&
		groupMatch([]bool{f.internal, f.external}, []bool{s.Location == "internal", s.Location == "external"})
}

// groupMatch reports whether no option of a group is given or the value
// matching one given option holds.
func groupMatch(given, holds []bool) bool {
	any := false
	for i, g := range given {
		if g {
			any = true
			if holds[i] {
				return true
			}
		}
	}
	return !any
}

// snapshotFilterOptions are the filter options that --tree excludes, in
// virsh's order of checking.
var snapshotFilterOptions = []string{"leaves", "no-leaves", "inactive", "active", "disk-only", "internal", "external"}

func newSnapshotListCmd(env *Env) *cobra.Command {
	var o struct {
		domain                                string
		filter                                snapshotFilter
		from                                  snapshotSelector
		parent, tree, descendants, name, topo bool
	}
	cmd := &cobra.Command{
		Use:   "snapshot-list",
		Short: "List snapshots for a domain",
		Long:  "Snapshot List",
	}
	domainArg(cmd, &o.domain)
	fl := cmd.Flags()
	fl.BoolVar(&o.parent, "parent", false, "add a column showing parent snapshot")
	fl.BoolVar(&o.filter.roots, "roots", false, "list only snapshots without parents")
	fl.BoolVar(&o.filter.leaves, "leaves", false, "list only snapshots without children")
	fl.BoolVar(&o.filter.noLeaves, "no-leaves", false, "list only snapshots that are not leaves (with children)")
	fl.BoolVar(&o.filter.metadata, "metadata", false, "list only snapshots that have metadata that would prevent undefine")
	fl.BoolVar(&o.filter.noMetadata, "no-metadata", false, "list only snapshots that have no metadata managed by libvirt")
	fl.BoolVar(&o.filter.inactive, "inactive", false, "filter by snapshots taken while inactive")
	fl.BoolVar(&o.filter.active, "active", false, "filter by snapshots taken while active (full system snapshots)")
	fl.BoolVar(&o.filter.diskOnly, "disk-only", false, "filter by disk-only snapshots")
	fl.BoolVar(&o.filter.internal, "internal", false, "filter by internal snapshots")
	fl.BoolVar(&o.filter.external, "external", false, "filter by external snapshots")
	fl.BoolVar(&o.tree, "tree", false, "list snapshots in a tree")
	o.from.declare(cmd, "from", "limit list to children of given snapshot", "limit list to children of current snapshot")
	fl.BoolVar(&o.descendants, "descendants", false, "with --from, list all descendants")
	fl.BoolVar(&o.name, "name", false, "list snapshot names only")
	fl.BoolVar(&o.topo, "topological", false, "sort list topologically rather than by name")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		if err := checkSnapshotListOptions(c); err != nil {
			return err
		}
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		all, err := conn.Snapshots().List(ctx, d.Name)
		if err != nil {
			return err
		}
		var start *backend.SnapshotInfo
		if o.from.given() {
			s, err := o.from.lookup(ctx, conn, d.Name)
			if err != nil {
				return err
			}
			start = &s
		}
		snaps := selectSnapshots(all, start, o.descendants, o.tree, o.filter)
		if o.topo {
			snaps = topological(snaps)
		} else {
			sort.SliceStable(snaps, func(i, j int) bool { return lessFold(snaps[i].Name, snaps[j].Name) })
		}
		data := make([]snapshotJSON, len(snaps))
		for i, s := range snaps {
			data[i] = newSnapshotJSON(s)
		}
		return env.emit(data, func(w io.Writer) {
			switch {
			case o.tree:
				writeSnapshotTree(w, snaps)
			case o.name:
				for _, s := range snaps {
					fmt.Fprintln(w, s.Name)
				}
			default:
				writeSnapshotTable(w, env.Quiet, o.parent, snaps)
			}
		})
	}
	return cmd
}

// checkSnapshotListOptions rejects the option combinations virsh rejects,
// in virsh's order.
func checkSnapshotListOptions(c *cobra.Command) error {
	if err := exclusive(c, [2]string{"tree", "name"}, [2]string{"parent", "roots"}, [2]string{"parent", "tree"},
		[2]string{"roots", "tree"}, [2]string{"roots", "from"}, [2]string{"roots", "current"}); err != nil {
		return err
	}
	if optionSet(c, "tree") {
		for _, name := range snapshotFilterOptions {
			if optionSet(c, name) {
				return userError("", "--%s and --tree are mutually exclusive", name)
			}
		}
	}
	if optionSet(c, "descendants") && !optionSet(c, "from") && !optionSet(c, "current") {
		return userError("", "--descendants requires either --from or --current")
	}
	return nil
}

// selectSnapshots returns the snapshots snapshot-list shows: all of them,
// or the children (descendants) of start; with --tree, start itself
// comes first as the root of its subtree.
func selectSnapshots(all []backend.SnapshotInfo, start *backend.SnapshotInfo, descendants, tree bool, f snapshotFilter) []backend.SnapshotInfo {
	var out []backend.SnapshotInfo
	if start != nil && tree {
		root := *start
		root.Parent = ""
		out = append(out, root)
	}
	var under map[string]bool
	if start != nil {
		under = subtree(all, start.Name, descendants)
	}
	for _, s := range all {
		if (under == nil || under[s.Name]) && f.match(s) {
			out = append(out, s)
		}
	}
	return out
}

// subtree returns the names of the children of root, or of all its
// descendants.
func subtree(all []backend.SnapshotInfo, root string, descendants bool) map[string]bool {
	in := map[string]bool{}
	parents := map[string]bool{root: true}
	for changed := true; changed; {
		changed = false
		for _, s := range all {
			if parents[s.Parent] && !in[s.Name] {
				in[s.Name] = true
				changed = descendants
				if descendants {
					parents[s.Name] = true
				}
			}
		}
	}
	return in
}

// topological orders snapshots parents first, as libvirt's
// VIR_DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL does: depth first, the most
// recently created child first (the backend lists in creation order).
func topological(snaps []backend.SnapshotInfo) []backend.SnapshotInfo {
	names := map[string]bool{}
	for _, s := range snaps {
		names[s.Name] = true
	}
	children := map[string][]backend.SnapshotInfo{}
	for _, s := range slices.Backward(snaps) {
		parent := s.Parent
		if !names[parent] {
			parent = ""
		}
		children[parent] = append(children[parent], s)
	}
	var out []backend.SnapshotInfo
	var walk func(name string)
	walk = func(name string) {
		for _, s := range children[name] {
			out = append(out, s)
			walk(s.Name)
		}
	}
	walk("")
	return out
}

func writeSnapshotTable(w io.Writer, quiet, parent bool, snaps []backend.SnapshotInfo) {
	header := []string{"Name", "Creation Time", "State"}
	if parent {
		header = append(header, "Parent")
	}
	rows := make([][]string, len(snaps))
	for i, s := range snaps {
		rows[i] = []string{s.Name, s.CreationTime.Local().Format("2006-01-02 15:04:05 -0700"), s.State}
		if parent {
			rows[i] = append(rows[i], s.Parent)
		}
	}
	format.Table(w, header, rows, quiet)
}

// writeSnapshotTree prints each root and its descendants as virsh's
// vshTreePrint does.
func writeSnapshotTree(w io.Writer, snaps []backend.SnapshotInfo) {
	for i, s := range snaps {
		if s.Parent == "" {
			writeTreeNode(w, snaps, i, i, true, "")
		}
	}
}

// writeTreeNode is vshTreePrintInternal: it prints node and its children
// under indent; last is the index of the last sibling of node.
func writeTreeNode(w io.Writer, snaps []backend.SnapshotInfo, node, last int, root bool, indent string) {
	name := snaps[node].Name
	branch := "+- "
	if root {
		branch = ""
	}
	fmt.Fprintf(w, "%s%s%s\n", indent, branch, name)
	if !root {
		if node == last {
			indent += "  "
		} else {
			indent += "| "
		}
	}
	lastChild := -1
	for i, s := range snaps {
		if s.Parent == name {
			lastChild = i
		}
	}
	if lastChild >= 0 {
		fmt.Fprintf(w, "%s  |\n", indent)
	}
	for i, s := range snaps {
		if s.Parent == name {
			writeTreeNode(w, snaps, i, lastChild, false, indent+"  ")
		}
	}
	if lastChild < 0 && node == last {
		fmt.Fprintf(w, "%s\n", indent)
	}
}
