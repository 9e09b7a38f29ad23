package commands

import (
	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

func newSnapshotRevertCmd(env *Env) *cobra.Command {
	var o struct {
		domain string
		snap   snapshotSelector
		opts   backend.SnapshotRevertOptions
	}
	cmd := &cobra.Command{
		Use:   "snapshot-revert",
		Short: "Revert a domain to a snapshot",
		Long:  "Revert domain to snapshot",
	}
	domainArg(cmd, &o.domain)
	o.snap.declare(cmd, "snapshotname", "snapshot name", "revert to current snapshot")
	cmd.Flags().BoolVar(&o.opts.Running, "running", false, "after reverting, change state to running")
	cmd.Flags().BoolVar(&o.opts.Paused, "paused", false, "after reverting, change state to paused")
	cmd.Flags().BoolVar(&o.opts.Force, "force", false, "try harder on risky reverts")
	cmd.Flags().BoolVar(&o.opts.ResetNVRAM, "reset-nvram", false, "re-initialize NVRAM from its pristine template")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, d, s, err := o.snap.find(ctx, env, o.domain)
		if err != nil {
			return err
		}
		if err := conn.Snapshots().Revert(ctx, d.Name, s.Name, o.opts); err != nil {
			return failed(err, "Failed to revert snapshot %s", s.Name)
		}
		env.info("Domain snapshot %s reverted\n", s.Name)
		return nil
	}
	return cmd
}

func newSnapshotDeleteCmd(env *Env) *cobra.Command {
	var o struct {
		domain string
		snap   snapshotSelector
		opts   backend.SnapshotDeleteOptions
	}
	cmd := &cobra.Command{
		Use:   "snapshot-delete",
		Short: "Delete a domain snapshot",
		Long:  "Snapshot Delete",
	}
	domainArg(cmd, &o.domain)
	o.snap.declare(cmd, "snapshotname", "snapshot name", "delete current snapshot")
	cmd.Flags().BoolVar(&o.opts.Children, "children", false, "delete snapshot and all children")
	cmd.Flags().BoolVar(&o.opts.ChildrenOnly, "children-only", false, "delete children but not snapshot")
	cmd.Flags().BoolVar(&o.opts.MetadataOnly, "metadata", false, "delete only libvirt metadata, leaving snapshot contents behind")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, d, s, err := o.snap.find(ctx, env, o.domain)
		if err != nil {
			return err
		}
		if err := conn.Snapshots().Delete(ctx, d.Name, s.Name, o.opts); err != nil {
			return failed(err, "Failed to delete snapshot %s", s.Name)
		}
		if o.opts.ChildrenOnly {
			env.info("Domain snapshot %s children deleted\n", s.Name)
		} else {
			env.info("Domain snapshot %s deleted\n", s.Name)
		}
		return nil
	}
	return cmd
}
