package commands

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/format"
)

// activityFilter holds the filter options net-list and pool-list share
// (virsh's VIR_CONNECT_LIST_*_{ACTIVE,INACTIVE,PERSISTENT,TRANSIENT,
// AUTOSTART,NO_AUTOSTART} flags). A pair given together or not at all
// does not filter, except that only active objects are listed unless
// --inactive or --all is given.
type activityFilter struct {
	inactive, all, persistent, transient, autostart, noAutostart bool
}

// declare adds the filter options named in names to cmd, in that order
// (virsh's order differs between commands); noun is the plural the help
// texts name ("networks", "pools").
func (f *activityFilter) declare(cmd *cobra.Command, noun string, names ...string) {
	defs := map[string]struct {
		p     *bool
		usage string
	}{
		"inactive":     {&f.inactive, "list inactive " + noun},
		"all":          {&f.all, "list inactive & active " + noun},
		"persistent":   {&f.persistent, "list persistent " + noun},
		"transient":    {&f.transient, "list transient " + noun},
		"autostart":    {&f.autostart, "list " + noun + " with autostart enabled"},
		"no-autostart": {&f.noAutostart, "list " + noun + " with autostart disabled"},
	}
	for _, name := range names {
		cmd.Flags().BoolVar(defs[name].p, name, false, defs[name].usage)
	}
}

// match reports whether an object with these properties is listed.
func (f activityFilter) match(active, persistent, autostart bool) bool {
	wantActive, wantInactive := !f.inactive || f.all, f.inactive || f.all
	return pairMatch(wantActive, wantInactive, active) &&
		pairMatch(f.persistent, f.transient, persistent) &&
		pairMatch(f.autostart, f.noAutostart, autostart)
}

// pairMatch applies one pair of opposite filters to a property.
func pairMatch(yes, no, value bool) bool {
	return yes == no || value == yes
}

// lessFold orders names as virsh's sorters do (case-insensitively).
func lessFold(a, b string) bool {
	la, lb := strings.ToLower(a), strings.ToLower(b)
	if la != lb {
		return la < lb
	}
	return a < b
}

// listMode is how a list command prints: a table, or bare names or UUIDs.
type listMode struct{ table, name, uuid bool }

// check rejects more than one mode, with virsh's message.
func (m listMode) check() error {
	n := 0
	for _, on := range []bool{m.table, m.name, m.uuid} {
		if on {
			n++
		}
	}
	if n > 1 {
		return userError("", "Only one argument from --table, --name and --uuid may be specified.")
	}
	return nil
}

func newNetListCmd(env *Env) *cobra.Command {
	var o struct {
		filter activityFilter
		mode   listMode
	}
	cmd := &cobra.Command{
		Use:   "net-list",
		Short: "list networks",
		Long:  "Returns list of networks.",
	}
	o.filter.declare(cmd, "networks", "inactive", "all", "persistent", "transient", "autostart", "no-autostart")
	cmd.Flags().BoolVar(&o.mode.uuid, "uuid", false, "list uuid's only")
	cmd.Flags().BoolVar(&o.mode.name, "name", false, "list network names only")
	cmd.Flags().BoolVar(&o.mode.table, "table", false, "list table (default)")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		if err := o.mode.check(); err != nil {
			return err
		}
		nets, err := listNetworks(c, env, o.filter)
		if err != nil {
			return err
		}
		data := make([]networkJSON, len(nets))
		for i, n := range nets {
			data[i] = newNetworkJSON(n)
		}
		return env.emit(data, func(w io.Writer) { writeNetList(w, env.Quiet, o.mode, data) })
	}
	return cmd
}

// listNetworks returns the networks the filter selects, sorted by name.
func listNetworks(c *cobra.Command, env *Env, f activityFilter) ([]backend.NetworkInfo, error) {
	ctx := c.Context()
	conn, err := env.Conn(ctx)
	if err != nil {
		return nil, err
	}
	all, err := conn.Networks().List(ctx)
	if err != nil {
		return nil, failed(err, "Failed to list networks")
	}
	var nets []backend.NetworkInfo
	for _, n := range all {
		if f.match(n.Active, n.Persistent, n.Autostart) {
			nets = append(nets, n)
		}
	}
	sort.Slice(nets, func(i, j int) bool { return lessFold(nets[i].Name, nets[j].Name) })
	return nets, nil
}

func writeNetList(w io.Writer, quiet bool, mode listMode, nets []networkJSON) {
	switch {
	case mode.name:
		for _, n := range nets {
			fmt.Fprintln(w, n.Name)
		}
	case mode.uuid:
		for _, n := range nets {
			fmt.Fprintln(w, n.UUID)
		}
	default:
		rows := make([][]string, len(nets))
		for i, n := range nets {
			rows[i] = []string{n.Name, n.State, format.YesNo(n.Autostart), format.YesNo(n.Persistent)}
		}
		format.Table(w, []string{"Name", "State", "Autostart", "Persistent"}, rows, quiet)
	}
}
