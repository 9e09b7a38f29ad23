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

// domainListJSON is one domain in list's data output: every domain is an
// object whatever --name, --uuid or --id say.
type domainListJSON struct {
	ID          *int   `json:"id"` // null when the domain is not running
	Name        string `json:"name"`
	UUID        string `json:"uuid"`
	State       string `json:"state"`
	Persistent  bool   `json:"persistent"`
	Autostart   bool   `json:"autostart"`
	ManagedSave bool   `json:"managed_save"`
	Snapshots   int    `json:"snapshots"`
	Title       string `json:"title"`
}

// domainFilter holds list's filter options (virsh's
// VIR_CONNECT_LIST_DOMAINS_* flags). Each pair of opposites filters only
// when one of the two is given.
type domainFilter struct {
	inactive, all                       bool
	transient, persistent               bool
	withSnapshot, withoutSnapshot       bool
	withCheckpoint, withoutCheckpoint   bool
	running, paused, shutoff, other     bool
	autostart, noAutostart              bool
	withManagedSave, withoutManagedSave bool
}

func (f *domainFilter) declare(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&f.inactive, "inactive", false, "list inactive domains")
	fl.BoolVar(&f.all, "all", false, "list inactive & active domains")
	fl.BoolVar(&f.transient, "transient", false, "list transient domains")
	fl.BoolVar(&f.persistent, "persistent", false, "list persistent domains")
	fl.BoolVar(&f.withSnapshot, "with-snapshot", false, "list domains with existing snapshot")
	fl.BoolVar(&f.withoutSnapshot, "without-snapshot", false, "list domains without a snapshot")
	fl.BoolVar(&f.withCheckpoint, "with-checkpoint", false, "list domains with existing checkpoint")
	fl.BoolVar(&f.withoutCheckpoint, "without-checkpoint", false, "list domains without a checkpoint")
	fl.BoolVar(&f.running, "state-running", false, "list domains in running state")
	fl.BoolVar(&f.paused, "state-paused", false, "list domains in paused state")
	fl.BoolVar(&f.shutoff, "state-shutoff", false, "list domains in shutoff state")
	fl.BoolVar(&f.other, "state-other", false, "list domains in other states")
	fl.BoolVar(&f.autostart, "autostart", false, "list domains with autostart enabled")
	fl.BoolVar(&f.noAutostart, "no-autostart", false, "list domains with autostart disabled")
	fl.BoolVar(&f.withManagedSave, "with-managed-save", false, "list domains with managed save state")
	fl.BoolVar(&f.withoutManagedSave, "without-managed-save", false, "list domains without managed save")
}

// match reports whether list shows d. As in virsh, only running domains
// are listed unless --all is given, and --inactive or --state-shutoff
// list only the others.
func (f domainFilter) match(d backend.DomainInfo) bool {
	active := d.State.Active()
	wantInactive := f.inactive || f.shutoff || f.all
	wantActive := !wantInactive || f.all
	// virtsh has no checkpoints: no domain has one.
	return (active && wantActive || !active && wantInactive) &&
		pairMatch(f.persistent, f.transient, d.Persistent) &&
		pairMatch(f.withSnapshot, f.withoutSnapshot, d.Snapshots > 0) &&
		pairMatch(f.withCheckpoint, f.withoutCheckpoint, false) &&
		pairMatch(f.autostart, f.noAutostart, d.Autostart) &&
		pairMatch(f.withManagedSave, f.withoutManagedSave, d.ManagedSave) &&
		f.matchState(d.State)
}

// matchState applies the --state-* options: any of them given lists the
// domains in one of the given states.
func (f domainFilter) matchState(s backend.DomainState) bool {
	if !f.running && !f.paused && !f.shutoff && !f.other {
		return true
	}
	switch s {
	case backend.DomainRunning:
		return f.running
	case backend.DomainPaused:
		return f.paused
	case backend.DomainShutoff:
		return f.shutoff
	}
	return f.other
}

// sortDomains orders domains as virsh's list does: running ones by id,
// then the others by name.
func sortDomains(doms []backend.DomainInfo) {
	sort.SliceStable(doms, func(i, j int) bool {
		a, b := doms[i], doms[j]
		switch {
		case a.ID >= 0 && b.ID >= 0:
			return a.ID < b.ID
		case a.ID >= 0 || b.ID >= 0:
			return a.ID >= 0
		}
		return lessFold(a.Name, b.Name)
	})
}

func newListCmd(env *Env) *cobra.Command {
	var o struct {
		filter                                    domainFilter
		uuid, name, id, table, managedSave, title bool
	}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "list domains",
		Long:  "Returns list of domains.",
	}
	o.filter.declare(cmd)
	fl := cmd.Flags()
	fl.BoolVar(&o.uuid, "uuid", false, "list uuid's only")
	fl.BoolVar(&o.name, "name", false, "list domain names only")
	fl.BoolVar(&o.id, "id", false, "list domain IDs only")
	fl.BoolVar(&o.table, "table", false, "list table (default)")
	fl.BoolVar(&o.managedSave, "managed-save", false, "mark inactive domains with managed save state")
	fl.BoolVar(&o.title, "title", false, "show domain title")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		if err := exclusive(c, [2]string{"table", "name"}, [2]string{"table", "uuid"}, [2]string{"table", "id"}); err != nil {
			return err
		}
		conn, err := env.Conn(c.Context())
		if err != nil {
			return err
		}
		all, err := conn.Domains().List(c.Context())
		if err != nil {
			return failed(err, "Failed to list domains")
		}
		var doms []backend.DomainInfo
		for _, d := range all {
			if o.filter.match(d) {
				doms = append(doms, d)
			}
		}
		sortDomains(doms)
		return env.emit(domainListData(doms), func(w io.Writer) {
			if o.uuid || o.name || o.id {
				writeDomainKeys(w, doms, o.uuid, o.id, o.name)
				return
			}
			writeDomainTable(w, doms, o.title, o.managedSave, env.Quiet)
		})
	}
	return cmd
}

func domainListData(doms []backend.DomainInfo) []domainListJSON {
	out := make([]domainListJSON, 0, len(doms))
	for _, d := range doms {
		ref := newDomainRef(d)
		out = append(out, domainListJSON{
			ID: ref.ID, Name: d.Name, UUID: d.UUID, State: d.State.String(),
			Persistent: d.Persistent, Autostart: d.Autostart, ManagedSave: d.ManagedSave,
			Snapshots: d.Snapshots, Title: d.Title,
		})
	}
	return out
}

// writeDomainKeys prints list --uuid/--id/--name lines: the chosen keys
// in that order, separated by a space; with --id alone, inactive domains
// (which have no id) are left out.
func writeDomainKeys(w io.Writer, doms []backend.DomainInfo, uuid, id, name bool) {
	for _, d := range doms {
		if id && !uuid && !name && d.ID < 0 {
			continue
		}
		var keys []string
		if uuid {
			keys = append(keys, d.UUID)
		}
		if id {
			keys = append(keys, idText(d))
		}
		if name {
			keys = append(keys, d.Name)
		}
		fmt.Fprintln(w, strings.Join(keys, " "))
	}
}

func writeDomainTable(w io.Writer, doms []backend.DomainInfo, title, managedSave, quiet bool) {
	header := []string{"Id", "Name", "State"}
	if title {
		header = append(header, "Title")
	}
	rows := make([][]string, 0, len(doms))
	for _, d := range doms {
		state := d.State.String()
		if managedSave && d.ManagedSave && !d.State.Active() {
			state = "saved"
		}
		row := []string{idText(d), d.Name, state}
		if title {
			row = append(row, d.Title)
		}
		rows = append(rows, row)
	}
	format.Table(w, header, rows, quiet)
}
