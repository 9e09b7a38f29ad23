package commands

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

// Commands of the "Snapshot" group (virsh-snapshot.c).
var snapshotCommands = []command{
	{"snapshot-create-as", newSnapshotCreateAsCmd}, {"snapshot-list", newSnapshotListCmd}, {"snapshot-info", newSnapshotInfoCmd},
	{"snapshot-current", newSnapshotCurrentCmd}, {"snapshot-dumpxml", newSnapshotDumpXMLCmd},
	{"snapshot-revert", newSnapshotRevertCmd}, {"snapshot-delete", newSnapshotDeleteCmd},
}

// snapshotJSON is a snapshot's data schema in snapshot-list and
// snapshot-info (docs/snapshot.md).
type snapshotJSON struct {
	Name                string  `json:"name"`
	Domain              string  `json:"domain"`
	Parent              *string `json:"parent"` // null for a root snapshot
	CreationTimeSeconds int64   `json:"creation_time_seconds"`
	State               string  `json:"state"`
	Current             bool    `json:"current"`
	Children            int     `json:"children"`
	Descendants         int     `json:"descendants"`
	Location            string  `json:"location"`
	Metadata            bool    `json:"metadata"`
}

func newSnapshotJSON(s backend.SnapshotInfo) snapshotJSON {
	j := snapshotJSON{
		Name: s.Name, Domain: s.Domain,
		CreationTimeSeconds: s.CreationTime.Unix(), State: s.State,
		Current: s.Current, Children: s.Children, Descendants: s.Descendants,
		Location: s.Location, Metadata: s.Metadata,
	}
	if s.Parent != "" {
		j.Parent = &s.Parent
	}
	return j
}

// snapshotSelector is the {--current | --NAME snapshot} pair that several
// snapshot commands take (virshLookupSnapshot).
type snapshotSelector struct {
	option  string // the option naming the snapshot: "snapshotname", "from"
	name    string
	current bool
}

// declare adds the named option (which virsh also fills by position) and
// --current, with their help texts.
func (s *snapshotSelector) declare(cmd *cobra.Command, option, usage, currentUsage string) {
	s.option = option
	arg(cmd, &s.name, option, usage, false)
	cmd.Flags().BoolVar(&s.current, "current", false, currentUsage)
}

// given reports whether either option was given.
func (s *snapshotSelector) given() bool { return s.name != "" || s.current }

// lookup finds the selected snapshot of domain. Like virsh, it prints only
// the backend's error when the snapshot is missing.
// find looks the domain up by its key (name, id or UUID), then the
// selected snapshot of it.
func (s *snapshotSelector) find(ctx context.Context, env *Env, domainKey string) (backend.Conn, backend.DomainInfo, backend.SnapshotInfo, error) {
	conn, d, err := lookupDomain(ctx, env, domainKey)
	if err != nil {
		return nil, d, backend.SnapshotInfo{}, err
	}
	snap, err := s.lookup(ctx, conn, d.Name)
	return conn, d, snap, err
}

func (s *snapshotSelector) lookup(ctx context.Context, conn backend.Conn, domain string) (backend.SnapshotInfo, error) {
	switch {
	case s.current && s.name != "":
		return backend.SnapshotInfo{}, userError("", "--%s and --current are mutually exclusive", s.option)
	case s.name != "":
		return conn.Snapshots().Lookup(ctx, domain, s.name)
	case s.current:
		return conn.Snapshots().Current(ctx, domain)
	}
	return backend.SnapshotInfo{}, userError("", "--%s or --current is required", s.option)
}

// exclusive fails with virsh's VSH_EXCLUSIVE_OPTIONS message when both
// options of a pair were given.
func exclusive(c *cobra.Command, pairs ...[2]string) error {
	for _, p := range pairs {
		if optionSet(c, p[0]) && optionSet(c, p[1]) {
			return userError("", "Options --%s and --%s are mutually exclusive", p[0], p[1])
		}
	}
	return nil
}

// optionSet reports whether an option was given (a boolean as true).
func optionSet(c *cobra.Command, name string) bool {
	f := c.Flags().Lookup(name)
	return f.Changed && f.Value.String() != "false"
}
