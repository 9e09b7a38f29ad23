package commands

import (
	"errors"
	"io"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/format"
)

func newSnapshotInfoCmd(env *Env) *cobra.Command {
	var o struct {
		domain string
		snap   snapshotSelector
	}
	cmd := &cobra.Command{
		Use:   "snapshot-info",
		Short: "snapshot information",
		Long:  "Returns basic information about a snapshot.",
	}
	domainArg(cmd, &o.domain)
	o.snap.declare(cmd, "snapshotname", "snapshot name", "info on current snapshot")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		_, d, s, err := o.snap.find(ctx, env, o.domain)
		if err != nil {
			return err
		}
		return env.emit(newSnapshotJSON(s), func(w io.Writer) {
			parent := s.Parent
			if parent == "" {
				parent = "-"
			}
			format.KeyValue(w, 15, []format.Field{
				{Key: "Name:", Value: s.Name},
				{Key: "Domain:", Value: d.Name},
				{Key: "Current:", Value: format.YesNo(s.Current)},
				{Key: "State:", Value: s.State},
				{Key: "Location:", Value: s.Location},
				{Key: "Parent:", Value: parent},
				{Key: "Children:", Value: strconv.Itoa(s.Children)},
				{Key: "Descendants:", Value: strconv.Itoa(s.Descendants)},
				{Key: "Metadata:", Value: format.YesNo(s.Metadata)},
			})
		})
	}
	return cmd
}

func newSnapshotDumpXMLCmd(env *Env) *cobra.Command {
	var o struct {
		domain, snapshot string
		secure           bool
	}
	cmd := &cobra.Command{
		Use:   "snapshot-dumpxml",
		Short: "Dump XML for a domain snapshot",
		Long:  "Snapshot Dump XML",
	}
	domainArg(cmd, &o.domain)
	arg(cmd, &o.snapshot, "snapshotname", "snapshot name", true)
	cmd.Flags().BoolVar(&o.secure, "security-info", false, "include security sensitive information in XML dump")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		if _, err := conn.Snapshots().Lookup(ctx, d.Name, o.snapshot); err != nil {
			return err
		}
		doc, err := conn.Snapshots().XML(ctx, d.Name, o.snapshot, backend.XMLOptions{Secure: o.secure})
		if err != nil {
			return err
		}
		return emitXML(env, o.snapshot, doc)
	}
	return cmd
}

func newSnapshotCurrentCmd(env *Env) *cobra.Command {
	var o struct {
		domain, snapshot string
		name, secure     bool
	}
	cmd := &cobra.Command{
		Use:   "snapshot-current",
		Short: "Get or set the current snapshot",
		Long:  "Get or set the current snapshot",
	}
	domainArg(cmd, &o.domain)
	cmd.Flags().BoolVar(&o.name, "name", false, "list the name, rather than the full xml")
	cmd.Flags().BoolVar(&o.secure, "security-info", false, "include security sensitive information in XML dump")
	arg(cmd, &o.snapshot, "snapshotname", "name of existing snapshot to make current", false)
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		if err := exclusive(c, [2]string{"name", "snapshotname"}); err != nil {
			return err
		}
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		if o.snapshot != "" {
			return setCurrentSnapshot(c, env, conn, d.Name, o.snapshot)
		}
		s, err := conn.Snapshots().Current(ctx, d.Name)
		if errors.Is(err, backend.ErrNotFound) {
			return userError(backend.CodeNotFound, "domain '%s' has no current snapshot", o.domain)
		}
		if err != nil {
			return err
		}
		if o.name {
			// virsh prints the name without a newline; the blank line
			// that follows every command ends it.
			return env.emit(map[string]string{"name": s.Name}, func(w io.Writer) { io.WriteString(w, s.Name) })
		}
		doc, err := conn.Snapshots().XML(ctx, d.Name, s.Name, backend.XMLOptions{Secure: o.secure})
		if err != nil {
			return err
		}
		return emitXML(env, s.Name, doc)
	}
	return cmd
}

// setCurrentSnapshot makes a snapshot current the way virsh does: by
// redefining it from its own XML with the current flag.
func setCurrentSnapshot(c *cobra.Command, env *Env, conn backend.Conn, domain, name string) error {
	ctx := c.Context()
	s, err := conn.Snapshots().Lookup(ctx, domain, name)
	if err != nil {
		return err
	}
	doc, err := conn.Snapshots().XML(ctx, domain, name, backend.XMLOptions{Secure: true})
	if err != nil {
		return err
	}
	opts := backend.SnapshotCreateOptions{Redefine: true, Current: true, DiskOnly: s.State == "disk-snapshot"}
	if _, err := conn.Snapshots().Create(ctx, domain, doc, opts); err != nil {
		return err
	}
	env.info("Snapshot %s set as current", name)
	return nil
}
